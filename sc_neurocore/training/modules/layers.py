"""Stateless layers: affine maps, layer normalisation, fixed position currents and reductions over time.

All take arrays whose last axis is the feature axis and any number of leading axes (time, batch,
tokens): ``(..., n_in) -> (..., n_out)``.
"""

from __future__ import annotations

import numpy as np

from sc_neurocore.sim.twins.quant import QuantSpec, frac_bits_for, quantise_weight

from .module import Module, Parameter

__all__ = ["TrainableLinear", "LayerNorm", "AddPosition", "TimeMean", "TimeLast"]


class TrainableLinear(Module):
    """Affine map ``y = x W^T + b`` with ``W`` of shape ``(n_out, n_in)`` as in NIR ``Affine``.

    With ``quant`` set, the forward pass uses the 8-bit power-of-two weights (and a bias rounded to
    the same grid); the gradient passes straight through to the float weights. ``input_frac_bits``
    marks a non-binary input: it is rounded to ``2^-input_frac_bits`` and ``x W^T`` is floored to the
    weight grid, as the hardware's ``(W_int x_int) >> input_frac_bits`` does.
    """

    def __init__(self, n_in: int, n_out: int, *, bias: bool = True, rng: np.random.Generator,
                 gain: float = 1.0, dtype=np.float32):
        bound = gain / np.sqrt(n_in)
        self.weight = Parameter(rng.uniform(-bound, bound, (n_out, n_in)).astype(dtype))
        self.bias = Parameter(np.zeros(n_out, dtype)) if bias else None
        self.quant: QuantSpec | None = None
        self.input_frac_bits: int | None = None
        self.frac_bits = 0

    def effective(self) -> tuple[np.ndarray, np.ndarray | None]:
        """The weight and bias the forward pass uses (rounded in quantisation-aware mode)."""
        w = self.weight.value
        b = None if self.bias is None else self.bias.value
        if self.quant is None:
            return w, b
        self.frac_bits = frac_bits_for(w, self.quant)
        step = 2.0**-self.frac_bits
        w = (quantise_weight(w, self.frac_bits, self.quant) * step).astype(w.dtype)
        if b is not None:
            b = (np.round(b / step) * step).astype(b.dtype)
        return w, b

    def forward(self, x: np.ndarray) -> np.ndarray:
        w, b = self.effective()
        if self.quant is not None and self.input_frac_bits is not None:
            scale = 2.0**self.input_frac_bits
            x = (np.round(x * scale) / scale).astype(w.dtype)
        self._x = x
        self._w = w
        # one 2-D GEMM: stacked 3-D/4-D matmuls take a much slower path in NumPy
        y = (x.reshape(-1, x.shape[-1]) @ w.T).reshape(*x.shape[:-1], w.shape[0])
        if self.quant is not None and self.input_frac_bits is not None:
            step = 2.0**-self.frac_bits
            y = (np.floor(y / step) * step).astype(w.dtype)
        return y if b is None else y + b

    def backward(self, grad: np.ndarray) -> np.ndarray:
        x2 = self._x.reshape(-1, self._x.shape[-1])
        g2 = grad.reshape(-1, grad.shape[-1])
        self.weight.grad += g2.T @ x2
        if self.bias is not None:
            self.bias.grad += g2.sum(axis=0)
        return (g2 @ self._w).reshape(*grad.shape[:-1], self._w.shape[1])


class LayerNorm(Module):
    """``y = gamma * (x - mean(x)) / sqrt(var(x) + eps) + beta`` over the feature axis."""

    def __init__(self, n: int, *, eps: float = 1e-5, dtype=np.float32):
        self.gamma = Parameter(np.ones(n, dtype))
        self.beta = Parameter(np.zeros(n, dtype))
        self.eps = eps

    def forward(self, x: np.ndarray) -> np.ndarray:
        mu = x.mean(axis=-1, keepdims=True)
        xc = x - mu
        inv = 1.0 / np.sqrt((xc * xc).mean(axis=-1, keepdims=True) + self.eps)
        self._xhat, self._inv = xc * inv, inv
        return self._xhat * self.gamma.value + self.beta.value

    def backward(self, grad: np.ndarray) -> np.ndarray:
        axes = tuple(range(grad.ndim - 1))
        self.gamma.grad += (grad * self._xhat).sum(axis=axes)
        self.beta.grad += grad.sum(axis=axes)
        gx = grad * self.gamma.value
        # d/dx of the normalisation: remove the mean and the component along xhat
        return self._inv * (gx - gx.mean(axis=-1, keepdims=True)
                            - self._xhat * (gx * self._xhat).mean(axis=-1, keepdims=True))


class AddPosition(Module):
    """Adds fixed position currents ``code (L, D)`` to token currents ``(..., L, D)`` (e.g. the phase-chain
    code of :func:`sc_neurocore.models.cpg.phase_chain_code`)."""

    def __init__(self, code: np.ndarray, dtype=np.float32):
        self.code = np.array(code, dtype)

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x + self.code

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad


class TimeMean(Module):
    """Readout reduction ``y = (scale/T) sum_t x[t]`` over the leading time axis.

    With ``scale = T`` on spikes this is the spike count.
    """

    def __init__(self, scale: float = 1.0):
        self.scale = scale

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._steps = x.shape[0]
        return x.sum(axis=0) * (self.scale / self._steps)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        g = grad * (self.scale / self._steps)
        return np.broadcast_to(g, (self._steps,) + grad.shape).copy()


class TimeLast(Module):
    """Readout at the final step, ``y = x[T-1]`` (e.g. the membrane of a leaky integrator)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._shape = x.shape
        return x[-1]

    def backward(self, grad: np.ndarray) -> np.ndarray:
        g = np.zeros(self._shape, grad.dtype)
        g[-1] = grad
        return g
