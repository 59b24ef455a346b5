"""Frontends: ways into the IR graph."""

from .nir_reader import SUPPORTED_NIR_TYPES, graph_from_nir, read_nir

__all__ = ["read_nir", "graph_from_nir", "SUPPORTED_NIR_TYPES"]
