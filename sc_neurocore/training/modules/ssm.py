"""Spiking state-space layers (diagonal SSM with a spiking output gate), trainable by BPTT.

Per layer, over ``(T, B, d_model)`` input::

    h[t] = A * h[t-1] + B x[t]        A = exp(-dt * exp(log_rate)) in (0, 1), diagonal (d_state,)
    y[t] = C h[t]
    s[t] = LIF(y)[t]                  (spiking output gate, learnable threshold)

The recursion is :func:`sc_neurocore.models.ssm.state_step`, the one of the inference
:class:`sc_neurocore.transformers.SpikyStateSpace` (which gates with integrate-and-fire and initialises
``A`` from HiPPO). Backward of the recursion: ``gh[t] = dL/dh[t] + A gh[t+1]``, ``dL/dA = sum_t gh[t] h[t-1]`` and
``dA/dlog_rate = -A dt exp(log_rate)``.
"""

from __future__ import annotations

import numpy as np

from sc_neurocore.models.ssm import state_step

from .layers import TrainableLinear, TimeLast
from .module import Module, Parameter
from .neurons import TrainableLI, TrainableLIF
from .surrogate import Surrogate

__all__ = ["LIFGatedStateSpace", "SSMClassifier"]


class LIFGatedStateSpace(Module):
    """Diagonal state-space layer ``(T, B, d_model) -> (T, B, d_out)`` spikes (``d_out = d_model``).

    ``B.weight`` is ``(d_state, d_model)`` and ``C.weight`` is ``(d_out, d_state)``, as in
    ``h = A h + B x``, ``y = C h``. The input may be spikes or currents.
    """

    def __init__(self, d_model: int, d_state: int = 64, *, d_out: int | None = None, threshold: float = 1.0,
                 dt: float = 1.0,
                 tau: float = 2.0, rate_range: tuple[float, float] = (0.05, 1.0),
                 rng: np.random.Generator, surrogate: Surrogate | None = None, dtype=np.float32):
        self.dt = dt
        rates = np.exp(rng.uniform(np.log(rate_range[0]), np.log(rate_range[1]), d_state))
        self.log_rate = Parameter(np.log(rates / dt).astype(dtype))
        self.B = TrainableLinear(d_model, d_state, bias=False, rng=rng, dtype=dtype)
        d_out = d_model if d_out is None else d_out
        self.C = TrainableLinear(d_state, d_out, rng=rng, gain=2.0, dtype=dtype)
        self.gate = TrainableLIF(d_out, tau=tau, threshold=threshold, learn_threshold=True,
                        surrogate=surrogate, dtype=dtype)

    def A(self) -> np.ndarray:
        """Diagonal of the discrete transition matrix."""
        return np.exp(-self.dt * np.exp(self.log_rate.value))

    def forward(self, x: np.ndarray) -> np.ndarray:
        a = self.A()
        bx = self.B.forward(x)
        h = np.empty_like(bx)
        state = np.zeros_like(bx[0])
        for t in range(bx.shape[0]):
            state = state_step(bx[t], state, a)
            h[t] = state
        self._h, self._a = h, a
        return self.gate.forward(self.C.forward(h))

    def backward(self, grad: np.ndarray) -> np.ndarray:
        gh_in = self.C.backward(self.gate.backward(grad))
        h, a = self._h, self._a
        gh = np.empty_like(gh_in)
        nxt = np.zeros_like(gh_in[0])
        for t in range(gh_in.shape[0] - 1, -1, -1):
            nxt = gh_in[t] + a * nxt
            gh[t] = nxt
        g_a = (gh[1:] * h[:-1]).reshape(-1, h.shape[-1]).sum(axis=0)
        self.log_rate.grad += g_a * (-a * self.dt * np.exp(self.log_rate.value))
        return self.B.backward(gh)


class SSMClassifier(Module):
    """Sequence classifier: ``x -> LIFGatedStateSpace x depth -> LI(s W_head^T + b) -> last step``.

    The first layer reads the raw sequence (e.g. image rows as currents); the leaky-integrator
    readout with a learnable leak decides at the end of the sequence.
    """

    def __init__(self, n_in: int, n_classes: int, *, d_model: int = 64, d_state: int = 64, depth: int = 1,
                 tau: float = 2.0, readout_tau: float = 4.0, surrogate: Surrogate | None = None, seed: int = 0,
                 dtype=np.float32):
        rng = np.random.default_rng(seed)
        widths = [n_in] + [d_model] * depth
        self.layers = [LIFGatedStateSpace(a, d_state, d_out=b, tau=tau, rng=rng, surrogate=surrogate, dtype=dtype)
                       for a, b in zip(widths[:-1], widths[1:])]
        self.head = TrainableLinear(d_model, n_classes, rng=rng, dtype=dtype)
        self.readout = TrainableLI(n_classes, tau=readout_tau, learn_tau=True, dtype=dtype)
        self.pool = TimeLast()

    def forward(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x)
        return self.pool.forward(self.readout.forward(self.head.forward(x)))

    def backward(self, grad: np.ndarray) -> np.ndarray:
        g = self.head.backward(self.readout.backward(self.pool.backward(grad)))
        for layer in reversed(self.layers):
            g = layer.backward(g)
        return g
