"""Compiler passes over the lowered network."""

from .quantise import QuantisedNetwork, QuantisedPopulation, QuantisedProjection, quantise

__all__ = ["quantise", "QuantisedNetwork", "QuantisedPopulation", "QuantisedProjection"]
