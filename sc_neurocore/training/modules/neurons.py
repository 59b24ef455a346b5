"""Spiking and leaky-integrator layers trained by backpropagation through time.

LIF, per neuron, with leak ``k = dt/tau`` (``beta = 1 - k``), threshold ``theta`` and reset to 0::

    u[t] = beta * v[t-1] + I[t]          (the NIR Euler step v += dt/tau (v_leak - v + r I), r = tau/dt)
    s[t] = H(u[t] - theta)               (H(x) = [x > 0], surrogate derivative g)
    v[t] = u[t] * (1 - s[t])

Backward, with ``gs = dL/ds`` and ``gu[T] = 0``::

    gu[t] = gs[t] g[t] + beta gu[t+1] ((1 - s[t]) - u[t] g[t])
    dL/dI[t] = gu[t]
    dL/dtheta = -sum_t (gs[t] - beta gu[t+1] u[t]) g[t]      (the threshold gradient -g(u - theta))
    dL/dbeta = sum_t gu[t] v[t-1]

The forward step is :func:`sc_neurocore.models.lif.euler_lif_step` (NIR's Euler form; its charge is the
network executor's float step's); this module adds the learnable parameters and the backward pass.
IF is LIF with ``k = 0``. PLIF learns ``k = sigmoid(w)`` per neuron. LI is the non-spiking readout
``u[t] = beta u[t-1] + I[t]``. In quantisation-aware mode the leak is the hardware's
``v - q floor(k_int v / (q 2^16))`` on the layer's grid ``q``, the threshold is rounded to the grid and
``u`` saturates to 16 bits; the backward pass uses ``beta_q = 1 - k_int / 2^16``.
"""

from __future__ import annotations

import numpy as np

from sc_neurocore.errors import InputError
from sc_neurocore.models.lif import euler_charge, euler_lif_step
from sc_neurocore.sim.twins.quant import QuantSpec, quantise_leak

from .module import Module, Parameter
from .surrogate import Surrogate, atan_surrogate

__all__ = ["TrainableLIF", "TrainableIF", "TrainableLI"]


def _sum_leading(x: np.ndarray) -> np.ndarray:
    """Sum over every axis but the neuron axis."""
    return x.reshape(-1, x.shape[-1]).sum(axis=0)


def _membrane_bptt(u: np.ndarray, a: np.ndarray, c: np.ndarray, beta) -> tuple[np.ndarray, np.ndarray]:
    """Backpropagation through time of a leaky membrane ``u`` (time first): ``gu[t] = a[t] + c[t] gu[t+1]``
    (in ``u``'s dtype), and what each step's ``v`` receives through the next step's leak, ``beta gu[t+1]``."""
    gu = np.empty_like(u)
    nxt = np.zeros_like(u[0])
    for t in range(u.shape[0] - 1, -1, -1):
        nxt = a[t] + c[t] * nxt
        gu[t] = nxt
    g_future = np.zeros_like(u)
    g_future[:-1] = beta * gu[1:]
    return gu, g_future


def _logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


class _Leaky(Module):
    """Shared leak handling: fixed ``k = dt/tau`` or learnable ``k = sigmoid(w)``."""

    def _init_leak(self, n: int, tau: float, dt: float, learn_tau: bool, dtype) -> None:
        k = 0.0 if np.isinf(tau) else dt / tau
        if not 0 <= k <= 1:  # k > 1 makes beta = 1 - k negative: the membrane oscillates and diverges
            raise InputError(f"tau must be at least dt (same units), got tau={tau}, dt={dt}")
        if learn_tau and not 0 < k < 1:
            raise InputError(f"a learnable tau needs 0 < dt/tau < 1, got dt={dt}, tau={tau}")
        self.dt = dt
        self.learn_tau = learn_tau
        self.tau_logit = Parameter(np.full(n, _logit(k), dtype)) if learn_tau else None
        self._k_fixed = np.full(n, k, dtype)
        self.quant: QuantSpec | None = None
        self.state_step = 1.0  # grid q of the membrane in quantisation-aware mode

    def leak(self) -> np.ndarray:
        """Per-neuron ``k = dt / tau`` (rounded to 16 bits in quantisation-aware mode)."""
        if self.tau_logit is None:
            k = self._k_fixed
        else:
            k = (1 / (1 + np.exp(-self.tau_logit.value))).astype(self._k_fixed.dtype)
        if self.quant is not None:
            k = (quantise_leak(k, self.quant) / 2.0**self.quant.leak_bits).astype(k.dtype)
        return k

    def tau(self) -> np.ndarray:
        """Per-neuron time constant ``dt / k`` (infinite for IF)."""
        with np.errstate(divide="ignore"):
            return self.dt / self.leak().astype(np.float64)

    def grid(self) -> tuple[float | None, int | None]:
        """``(q, state_bits)`` of the membrane in quantisation-aware mode, ``(None, None)`` in float."""
        return (None, None) if self.quant is None else (self.state_step, self.quant.state_bits)

    def _leak_grad(self, k: np.ndarray, g_beta: np.ndarray) -> None:
        if self.tau_logit is not None:
            # beta = 1 - sigmoid(w): dbeta/dw = -k (1 - k)
            self.tau_logit.grad += -g_beta * k * (1 - k)


class TrainableLIF(_Leaky):
    """Leaky integrate-and-fire layer over ``(T, B, n)`` input currents; returns spikes."""

    def __init__(self, n: int, *, tau: float = 2.0, dt: float = 1.0, threshold: float = 1.0,
                 learn_threshold: bool = False, learn_tau: bool = False,
                 surrogate: Surrogate | None = None, dtype=np.float32):
        self._init_leak(n, tau, dt, learn_tau, dtype)
        theta = np.full(n, threshold, dtype)
        self.threshold = Parameter(theta) if learn_threshold else None
        self._theta_fixed = theta
        self.surrogate = surrogate or atan_surrogate()

    def theta(self) -> np.ndarray:
        """Per-neuron threshold (rounded to the membrane grid in quantisation-aware mode)."""
        theta = self._theta_fixed if self.threshold is None else self.threshold.value
        if self.quant is not None:
            theta = (np.round(theta / self.state_step) * self.state_step).astype(theta.dtype)
        return theta

    def forward(self, x: np.ndarray) -> np.ndarray:
        k, theta, (grid, bits) = self.leak(), self.theta(), self.grid()
        u_all = np.empty_like(x)
        s_all = np.empty_like(x)
        v = np.zeros_like(x[0])
        for t in range(x.shape[0]):
            s_all[t], v, u_all[t] = euler_lif_step(x[t], v, k, theta, self.surrogate.forward, grid, bits)
        self._cache = (u_all, s_all, k, theta)
        return s_all

    def backward(self, grad: np.ndarray) -> np.ndarray:
        u, s, k, theta = self._cache
        beta = 1 - k
        g = self.surrogate.derivative(u - theta).astype(u.dtype)
        gu, g_future = _membrane_bptt(u, grad * g, beta * ((1 - s) - u * g), beta)
        if self.threshold is not None:
            self.threshold.grad += -_sum_leading((grad - g_future * u) * g)
        if self.tau_logit is not None:
            v_prev = u[:-1] * (1 - s[:-1])
            self._leak_grad(k, _sum_leading(gu[1:] * v_prev))
        return gu


class TrainableIF(TrainableLIF):
    """Integrate-and-fire layer: LIF without leak (``tau = inf``)."""

    def __init__(self, n: int, *, threshold: float = 1.0, learn_threshold: bool = False,
                 surrogate: Surrogate | None = None, dtype=np.float32):
        super().__init__(n, tau=np.inf, threshold=threshold, learn_threshold=learn_threshold,
                         surrogate=surrogate, dtype=dtype)


class TrainableLI(_Leaky):
    """Non-spiking leaky integrator ``u[t] = beta u[t-1] + I[t]``; returns the membrane trace."""

    def __init__(self, n: int, *, tau: float = 2.0, dt: float = 1.0, learn_tau: bool = False,
                 dtype=np.float32):
        self._init_leak(n, tau, dt, learn_tau, dtype)

    def forward(self, x: np.ndarray) -> np.ndarray:
        k, (grid, bits) = self.leak(), self.grid()
        u_all = np.empty_like(x)
        u = np.zeros_like(x[0])
        for t in range(x.shape[0]):
            u = euler_charge(x[t], u, k, grid, bits)
            u_all[t] = u
        self._cache = (u_all, k)
        return u_all

    def backward(self, grad: np.ndarray) -> np.ndarray:
        u, k = self._cache
        beta = 1 - k
        gu = np.empty_like(grad)
        nxt = np.zeros_like(grad[0])
        for t in range(grad.shape[0] - 1, -1, -1):
            nxt = grad[t] + beta * nxt
            gu[t] = nxt
        if self.tau_logit is not None:
            self._leak_grad(k, _sum_leading(gu[1:] * u[:-1]))
        return gu
