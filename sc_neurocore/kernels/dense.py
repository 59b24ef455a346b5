"""Dense (y = x W^T) and elementwise scale (y = s x) operators."""

from dataclasses import dataclass

import numpy as np

from sc_neurocore.kernels.exact import Operator

__all__ = ["DenseOp", "ScaleOp"]


@dataclass(eq=False)
class DenseOp(Operator):
    """y = x W^T, W shaped (n_out, n_in)."""

    weight: np.ndarray

    def __post_init__(self):
        self.n_out, self.n_in = self.weight.shape
        self._weight_t = np.ascontiguousarray(self.weight.T)

    def apply(self, x, grid=None):
        return x @ self._weight_t

    def apply_float32(self, x):
        if not hasattr(self, "_weight_t32"):
            self._weight_t32 = np.ascontiguousarray(self._weight32().T)
        return x @ self._weight_t32

    def _row_sum(self) -> float:
        return float(np.abs(self.weight).sum(axis=1).max(initial=0.0))

    def with_weight(self, weight) -> "DenseOp":
        return DenseOp(weight)

    def rows_scaled(self, gain: np.ndarray) -> "DenseOp":
        return DenseOp(gain[:, None] * self.weight)


@dataclass(eq=False)
class ScaleOp(Operator):
    """y = s * x, elementwise."""

    weight: np.ndarray  # the scale vector; called weight so every operator quantises alike

    def __post_init__(self):
        self.n_in = self.n_out = self.weight.shape[0]

    def apply(self, x, grid=None):
        return x * self.weight

    def apply_float32(self, x):
        return x * self._weight32()

    def _row_sum(self) -> float:
        return float(np.abs(self.weight).max(initial=0.0))

    def with_weight(self, weight) -> "ScaleOp":
        return ScaleOp(weight)

    def rows_scaled(self, gain: np.ndarray) -> "ScaleOp":
        return ScaleOp(gain * self.weight)
