"""Argument checks shared by the bitstream modules: each raises `InputError` naming the argument."""

import numpy as np

from ..errors import InputError

__all__ = ["check_length", "check_probability"]


def check_length(length: int, name: str = "length") -> int:
    """Return `length` as an int if it is a positive integer, else raise `InputError`."""
    if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length <= 0:
        raise InputError(f"stream {name} must be a positive integer, got {length!r}")
    return int(length)


def check_probability(values, *, bipolar: bool = False) -> np.ndarray:
    """Return `values` as float64, checked to lie in [0, 1] (unipolar) or [-1, 1] (bipolar)."""
    array = np.asarray(values, dtype=np.float64)
    low, name = (-1.0, "bipolar value") if bipolar else (0.0, "probability")
    if not np.all(np.isfinite(array)) or np.any(array < low) or np.any(array > 1.0):
        bad = array[~((array >= low) & (array <= 1.0))].ravel()[:3]
        raise InputError(f"every {name} must lie in [{low:g}, 1]; got {bad.tolist()}")
    return array
