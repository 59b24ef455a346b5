"""Linear layers with batch-norm and spiking outputs, in the multi-step layout ``[T, B, N, D]``.

Batch-norm runs in inference form and is folded into the weights before the product:
``y = (x W - mean) * gamma / sqrt(var + eps) + beta = x (W * a) + (beta - mean * a)`` with
``a = gamma / sqrt(var + eps)``. Folding turns two elementwise passes into none and gives the
hardware one weight matrix and one bias; when weights and ``a`` are exact binary fractions (fixed
point), the folded product is exact too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sc_neurocore.errors import InputError
from sc_neurocore.transformers._checks import positive_float, positive_int
from sc_neurocore.models.lif import lif_multistep

__all__ = ["BatchNorm", "BNLinear", "SpikingLinear"]


@dataclass(eq=False)
class BatchNorm:
    """Inference batch-norm over the last axis: ``y = (x - mean) / sqrt(var + eps) * gamma + beta``."""

    size: int
    eps: float = 1e-5
    gamma: np.ndarray = field(default=None)
    beta: np.ndarray = field(default=None)
    mean: np.ndarray = field(default=None)
    var: np.ndarray = field(default=None)

    def __post_init__(self):
        positive_int("size", self.size)
        defaults = {"gamma": 1.0, "beta": 0.0, "mean": 0.0, "var": 1.0}
        for name, fill in defaults.items():
            value = getattr(self, name)
            setattr(self, name, np.full(self.size, fill) if value is None else np.asarray(value, np.float64))

    def fold(self) -> tuple[np.ndarray, np.ndarray]:
        """``(a, b)`` with ``BN(y) = y * a + b``; raises InputError on a non-positive variance."""
        for name in ("gamma", "beta", "mean", "var"):
            if getattr(self, name).shape != (self.size,):
                raise InputError(f"batch-norm {name} must have shape ({self.size},)")
        if np.any(self.var + self.eps <= 0):
            raise InputError("batch-norm var + eps must be positive")
        scale = self.gamma / np.sqrt(self.var + self.eps)
        return scale, self.beta - self.mean * scale


class BNLinear:
    """``y = BN(x @ weight)`` with ``weight`` of shape ``(in_dim, out_dim)`` (no bias, as in Spikformer).

    Computes in float32 like the PyTorch peers. ``weight`` and ``bn`` are plain attributes;
    ``seed`` (an int or a tuple of ints) goes to ``np.random.default_rng``.
    """

    def __init__(self, in_dim: int, out_dim: int, seed: int | tuple[int, ...] = 0):
        self.in_dim = positive_int("in_dim", in_dim)
        self.out_dim = positive_int("out_dim", out_dim)
        rng = np.random.default_rng(seed)
        # Kaiming-uniform bound of torch's Linear/Conv1d, so default activity is comparable
        bound = 1.0 / np.sqrt(in_dim)
        self.weight = rng.uniform(-bound, bound, (in_dim, out_dim))
        self.bn = BatchNorm(out_dim)

    def folded(self) -> tuple[np.ndarray, np.ndarray]:
        """The float32 folded weight ``W * a`` and bias ``b``."""
        if np.shape(self.weight) != (self.in_dim, self.out_dim):
            raise InputError(f"weight must have shape ({self.in_dim}, {self.out_dim})")
        scale, shift = self.bn.fold()
        weight = np.asarray(self.weight, np.float32) * scale.astype(np.float32)
        return weight, shift.astype(np.float32)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """``x[..., in_dim] -> float32 [..., out_dim]``."""
        weight, bias = self.folded()
        flat = np.asarray(x, np.float32).reshape(-1, self.in_dim)
        y = flat @ weight
        y += bias
        return y.reshape(np.shape(x)[:-1] + (self.out_dim,))


class SpikingLinear(BNLinear):
    """``s = LIF(BN(x @ weight))`` over the time axis 0 (tau, threshold, hard reset to 0)."""

    def __init__(
        self,
        in_dim: int,
        out_dim: int,
        tau: float = 2.0,
        v_threshold: float = 1.0,
        seed: int | tuple[int, ...] = 0,
    ):
        super().__init__(in_dim, out_dim, seed)
        self.tau = positive_float("tau", tau)
        self.v_threshold = positive_float("v_threshold", v_threshold)

    def forward(self, x_seq: np.ndarray) -> np.ndarray:
        """``[T, ..., in_dim] -> float32 spikes [T, ..., out_dim]``."""
        return self.fire(super().forward(x_seq))

    def project(self, x: np.ndarray) -> np.ndarray:
        """The batch-normed affine map alone: :meth:`BNLinear.forward`."""
        return super().forward(x)

    def fire(self, y_seq: np.ndarray) -> np.ndarray:
        """The LIF neurons alone, over the time axis 0 of the drive ``y_seq``."""
        spikes, _ = lif_multistep(y_seq.reshape(y_seq.shape[0], -1), self.tau, self.v_threshold, 0.0)
        return spikes.reshape(y_seq.shape)

