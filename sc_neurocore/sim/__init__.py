"""Executors of lowered networks: float (reference) and fixed (the hardware's integer model)."""

from .executor import MODES, PRECISIONS, SimulationResult, run_fixed, run_float

__all__ = ["MODES", "PRECISIONS", "SimulationResult", "run_float", "run_fixed"]
