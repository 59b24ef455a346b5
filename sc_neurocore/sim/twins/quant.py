"""Fixed-point formats for quantisation-aware training (straight-through estimator).

The hardware keeps, per layer, 8-bit signed weights and a 16-bit signed membrane on one shared
power-of-two scale ``q = 2^-f``: ``w_int = clip(round(w / q), -128, 127)``. ``f`` is the largest
integer with ``max|w| / q <= 127``. Leaks are 16-bit fractions ``k_int = round(k * 2^16)`` applied as
``v -= (k_int * (v - v_leak)) >> 16`` (floor). In training the forward pass rounds like the hardware
and the backward pass treats every rounding as the identity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sc_neurocore.models.fixed_point import power_of_two_shift, quantise_power_of_two

__all__ = ["QuantSpec", "frac_bits_for", "quantise_weight", "quantise_leak"]


@dataclass(frozen=True)
class QuantSpec:
    """Bit widths of the hardware formats."""

    weight_bits: int = 8
    state_bits: int = 16
    leak_bits: int = 16

    @property
    def weight_max(self) -> int:
        return 2 ** (self.weight_bits - 1) - 1

    @property
    def state_range(self) -> tuple[int, int]:
        return -(2 ** (self.state_bits - 1)), 2 ** (self.state_bits - 1) - 1


def frac_bits_for(weight: np.ndarray, spec: QuantSpec) -> int:
    """Largest ``f`` such that ``max|w| * 2^f`` fits the signed weight range (all zeros: the finest membrane grid)."""
    return power_of_two_shift(weight, spec.weight_bits, zero_shift=spec.state_bits - 1)


def quantise_weight(weight: np.ndarray, frac_bits: int, spec: QuantSpec) -> np.ndarray:
    """Integer weights ``clip(round(w * 2^f), -wmax-1, wmax)`` (int64)."""
    return quantise_power_of_two(weight.astype(np.float64), spec.weight_bits, frac_bits)[0]


def quantise_leak(k: np.ndarray, spec: QuantSpec) -> np.ndarray:
    """Integer leak factors ``round(k * 2^leak_bits)`` (int64)."""
    return np.round(np.asarray(k, dtype=np.float64) * 2.0**spec.leak_bits).astype(np.int64)

