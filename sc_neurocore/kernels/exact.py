"""The operator interface and its arithmetic: float64, integer and float32 paths, and when a sum is exact.

`apply` works on float64. The fixed executor calls `apply_int` on int64 spikes/counts with integer
weights: the products are summed in float64, which is exact while every partial sum stays below 2**53
(spikes x weights of at most 16 bits x fan-in far below 2**21), and then converted back to int64.

`apply_float32` is the float executor's opt-in float32 precision: float32 x, float32 weights (rounded
to nearest), float32 sums in whatever order BLAS picks, float32 out. It is not exact; it must agree with
the same arithmetic written plainly in float32 to float32 rounding (see tests/unit/sim/test_float32_precision.py).
A convolution there takes the whole-row float32 im2col of the exact path below (`ConvOp._apply_exact`,
:mod:`sc_neurocore.kernels.conv`),
which is simply not proved exact for such inputs.

Exact inputs. A caller that knows more about x (spikes are 0/1) passes a `Grid`: every value is an
integer multiple of 2**exponent with |value| <= bound. If the weights are multiples of 2**e_w with row
sums of |w| at most S, every product and every partial sum, in any order, is a multiple of
2**(exponent + e_w) no larger than bound * S; below 2**52 of those units float64 holds each one
exactly (float32: below 2**23), so the result is the exact sum whatever the summation order or BLAS
blocking. Where that holds in float32 (the fixed executor's integer kernels on spikes), a convolution
runs in float32 with its columns taken a whole padded row wide (`ConvOp._apply_exact`): half the
memory traffic and faster gemms for the same bits as the float64 im2col, which remains the path for
everything else. (cnn_sinabs's float kernels are float32 values on a 2**-36 grid: their exact sums need
about 40 bits, so the float executor keeps float64 there.)
"""

from dataclasses import dataclass

import numpy as np

__all__ = ["Grid", "SPIKES", "Operator"]


@dataclass(frozen=True)
class Grid:
    """Known input values: integer multiples of 2**exponent, at most bound in magnitude."""

    exponent: int
    bound: float


SPIKES = Grid(0, 1.0)
_MANTISSA = {np.float64: 52, np.float32: 23}  # one bit below the significand: margin for rounding in S
_MIN_EXPONENT = {np.float64: -1022, np.float32: -126}  # stay clear of subnormals (BLAS may flush them)


def _weight_grid(weight: np.ndarray) -> int | None:
    """The largest e with every weight a multiple of 2**e (None if a weight is not finite)."""
    w = np.asarray(weight, dtype=np.float64)
    w = w[w != 0]
    if not np.all(np.isfinite(w)):
        return None
    if w.size == 0:
        return 0
    mantissa, exponent = np.frexp(np.abs(w))  # |w| = mantissa * 2**exponent, mantissa in [0.5, 1)
    significand = np.ldexp(mantissa, 53).astype(np.int64)  # an exact integer below 2**53
    lowest_bit = np.log2(significand & -significand).astype(np.int64)
    return int((exponent - 53 + lowest_bit).min())


class Operator:
    """Maps x [B, n_in] to y [B, n_out]; subclasses define `apply`, `apply_float32` and `_row_sum`."""

    n_in: int
    n_out: int

    def apply(self, x: np.ndarray, grid: Grid | None = None) -> np.ndarray:
        raise NotImplementedError

    def apply_int(self, x: np.ndarray, grid: Grid | None = None) -> np.ndarray:
        return np.rint(self.apply(x.astype(np.float64), grid)).astype(np.int64)

    def apply_float32(self, x: np.ndarray) -> np.ndarray:
        """x [B, n_in] float32 to float32, every product and sum in float32 (see the module docstring)."""
        raise NotImplementedError

    def _weight32(self) -> np.ndarray:
        if not hasattr(self, "_weight_f32"):
            self._weight_f32 = np.asarray(self.weight, np.float64).astype(np.float32)
        return self._weight_f32

    def _row_sum(self) -> float:
        """The largest sum of |w| over one output's inputs."""
        raise NotImplementedError

    def through(self, grid: Grid | None, dtype=np.float64) -> Grid | None:
        """The output's grid if every partial sum over an input on `grid` is exact in `dtype`, else None."""
        if grid is None:
            return None
        if not hasattr(self, "_exactness"):
            e_w = _weight_grid(self.weight)
            fits32 = bool(np.all(np.asarray(self.weight, np.float64).astype(np.float32) == self.weight))
            self._exactness = (e_w, self._row_sum(), fits32)
        e_w, row_sum, fits32 = self._exactness
        if e_w is None or (dtype == np.float32 and not fits32):
            return None
        exponent, bound = grid.exponent + e_w, grid.bound * row_sum
        if exponent < _MIN_EXPONENT[dtype] or bound >= 2.0 ** (_MANTISSA[dtype] + exponent):
            return None
        if dtype == np.float32 and (grid.exponent < -126 or grid.bound >= 2.0 ** (23 + grid.exponent)):
            return None  # the input itself must be exact in float32
        return Grid(exponent, bound)
