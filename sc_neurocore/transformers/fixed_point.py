"""Fixed-point helpers the integer twins share: power-of-two quantisation and register widths."""

from __future__ import annotations

import numpy as np

__all__ = ["signed_bits", "power_of_two_shift", "quantise_power_of_two"]


def signed_bits(low: int, high: int) -> int:
    """The fewest two's-complement bits that hold every integer in ``[low, high]``."""
    bits = 1
    while not -(1 << (bits - 1)) <= low <= high <= (1 << (bits - 1)) - 1:
        bits += 1
    return bits


def power_of_two_shift(values: np.ndarray, bits: int) -> int:
    """The largest ``f`` such that ``max|values| 2^f`` fits a signed `bits`-bit integer (0 for all zeros)."""
    peak = float(np.max(np.abs(values)))
    limit = (1 << (bits - 1)) - 1
    return int(np.floor(np.log2(limit / peak))) if peak > 0 else 0


def quantise_power_of_two(values: np.ndarray, bits: int, shift: int | None = None) -> tuple[np.ndarray, int]:
    """Saturated ``round(values 2^shift)`` as int64; without `shift`, the largest that keeps the peak in range."""
    shift = power_of_two_shift(values, bits) if shift is None else shift
    limit = (1 << (bits - 1)) - 1
    return np.clip(np.round(values * 2.0**shift), -limit - 1, limit).astype(np.int64), shift
