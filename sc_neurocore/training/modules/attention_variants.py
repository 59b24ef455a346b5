"""Two more spiking attentions, trainable by BPTT over ``(T, B, L, D)`` spikes (:mod:`.attention` for SSA).
Their forward passes call the op definitions :func:`sc_neurocore.models.sdsa.sdsa_attention` and
:func:`sc_neurocore.models.attention.spiking_attention` with the training neurons.

SDSA (channel-wise, linear in the number of tokens)::

    Q, K, V = LIF(S W^T + b)                      binary
    kv  = LIF_kv(sum_l K[l] * V[l])               (T, B, D): coincidence count per channel
    out = (Q * kv) W_proj^T + b                   real-valued, for the residual add

A²OS²A (addition only)::

    Q = LIF(S W_q^T + b)  binary,  K = ReLU(S W_k^T + b)  real,  V = TernaryLIF(S W_v^T + b)  in {-1, 0, 1}
    A = LIF_attn(scale * Q_h (K_h^T V_h))         per head
    out = LIF(A W_out^T + b)

The neurons are the training LIF (``u = beta v + I``, spike on ``u > theta``). The inference neurons
integrate ``x / tau`` and spike on ``h >= theta``, so ``u = tau h``: a training layer equals its inference
twin with thresholds ``tau * theta`` (ties aside) and no BN (folded into the affine bias).
"""

from __future__ import annotations

import numpy as np

from sc_neurocore.errors import InputError
from sc_neurocore.models.attention import merge_heads, spiking_attention, split_heads
from sc_neurocore.models.lif import euler_charge
from sc_neurocore.models.sdsa import sdsa_attention

from .layers import TrainableLinear
from .module import Module
from .neurons import TrainableLIF, _membrane_bptt, _sum_leading
from .surrogate import Surrogate

__all__ = ["TernaryLIF", "TrainableSDSA", "TrainableA2OS2A"]


class TernaryLIF(TrainableLIF):
    """LIF with spikes ``s = H(u - theta) - H(-u - theta)`` in ``{-1, 0, 1}``, reset to 0 after either.

    The surrogate stands in at both thresholds: ``ds/du = g(u - theta) + g(-u - theta)``,
    ``ds/dtheta = g(-u - theta) - g(u - theta)``.
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        k, theta, (grid, bits) = self.leak(), self.theta(), self.grid()
        u_all, p_all, n_all = np.empty_like(x), np.empty_like(x), np.empty_like(x)
        v = np.zeros_like(x[0])
        for t in range(x.shape[0]):
            u = euler_charge(x[t], v, k, grid, bits)
            p, n = self.surrogate.forward(u - theta), self.surrogate.forward(-u - theta)
            u_all[t], p_all[t], n_all[t] = u, p, n
            v = u * (1 - p - n)
        self._cache = (u_all, p_all, n_all, k, theta)
        return p_all - n_all

    def backward(self, grad: np.ndarray) -> np.ndarray:
        u, p, n, k, theta = self._cache
        beta = 1 - k
        g_pos = self.surrogate.derivative(u - theta).astype(u.dtype)
        g_neg = self.surrogate.derivative(-u - theta).astype(u.dtype)
        # v = u (1 - p - n): dv/du = (1 - p - n) - u (g_pos - g_neg), dv/dtheta = u (g_pos + g_neg)
        gu, g_future = _membrane_bptt(u, grad * (g_pos + g_neg), beta * ((1 - p - n) - u * (g_pos - g_neg)), beta)
        if self.threshold is not None:
            self.threshold.grad += _sum_leading(grad * (g_neg - g_pos) + g_future * u * (g_pos + g_neg))
        if self.tau_logit is not None:
            self._leak_grad(k, _sum_leading(gu[1:] * u[:-1] * (1 - p[:-1] - n[:-1])))
        return gu


class TrainableSDSA(Module):
    """SDSA over ``(T, B, L, D)`` spikes; returns real-valued ``(T, B, L, D)`` (no heads: it is channel-wise)."""

    kind = "sdsa"

    def __init__(self, embed_dim: int, *, rng: np.random.Generator, tau: float = 2.0, threshold: float = 1.0,
                 kv_threshold: float = 0.5, learn_threshold: bool = True, surrogate: Surrogate | None = None,
                 dtype=np.float32):
        kw = dict(tau=tau, learn_threshold=learn_threshold, surrogate=surrogate, dtype=dtype)
        self.W_q, self.W_k, self.W_v = (TrainableLinear(embed_dim, embed_dim, rng=rng, gain=2.0, dtype=dtype)
                                        for _ in range(3))
        self.q_lif, self.k_lif, self.v_lif = (TrainableLIF(embed_dim, threshold=threshold, **kw) for _ in range(3))
        self.kv_lif = TrainableLIF(embed_dim, threshold=kv_threshold, **kw)
        self.W_proj = TrainableLinear(embed_dim, embed_dim, rng=rng, dtype=dtype)

    def forward(self, s: np.ndarray) -> np.ndarray:
        q = self.q_lif.forward(self.W_q.forward(s))
        k = self.k_lif.forward(self.W_k.forward(s))
        v = self.v_lif.forward(self.W_v.forward(s))
        gated, kv, _, _ = sdsa_attention(q, k, v, self._kv_neuron)  # kv (T, B, D)
        self._qkv = (q, k, v, kv)
        return self.W_proj.forward(gated)

    def _kv_neuron(self, count: np.ndarray):
        return self.kv_lif.forward(count), None

    def backward(self, grad: np.ndarray) -> np.ndarray:
        q, k, v, kv = self._qkv
        g_gated = self.W_proj.backward(grad)
        g_count = self.kv_lif.backward((g_gated * q).sum(axis=-2))[..., None, :]
        gs = self.W_q.backward(self.q_lif.backward(g_gated * kv[..., None, :]))
        gs += self.W_k.backward(self.k_lif.backward(g_count * v))
        gs += self.W_v.backward(self.v_lif.backward(g_count * k))
        return gs


class TrainableA2OS2A(Module):
    """A²OS²A over ``(T, B, L, D)`` spikes with ``num_heads`` heads; returns ``(T, B, L, D)`` spikes.

    ``scale`` (1 in the paper) multiplies ``Q (K^T V)`` before the attention LIF; a power of two keeps it a shift.
    """

    kind = "a2os2a"

    def __init__(self, embed_dim: int, num_heads: int, *, rng: np.random.Generator, tau: float = 2.0,
                 threshold: float = 1.0, attn_threshold: float = 1.0, scale: float = 1.0,
                 learn_threshold: bool = True, surrogate: Surrogate | None = None, dtype=np.float32):
        if embed_dim % num_heads:
            raise InputError(f"embed_dim {embed_dim} is not divisible by num_heads {num_heads}")
        self.num_heads, self.scale = num_heads, scale
        kw = dict(tau=tau, learn_threshold=learn_threshold, surrogate=surrogate, dtype=dtype)
        self.W_q, self.W_k, self.W_v, self.W_out = (TrainableLinear(embed_dim, embed_dim, rng=rng, gain=2.0, dtype=dtype)
                                                    for _ in range(4))
        self.q_lif = TrainableLIF(embed_dim, threshold=threshold, **kw)
        self.v_lif = TernaryLIF(embed_dim, threshold=threshold, **kw)
        self.attn_lif = TrainableLIF(embed_dim, threshold=attn_threshold, **kw)
        self.out_lif = TrainableLIF(embed_dim, threshold=threshold, **kw)

    def forward(self, s: np.ndarray) -> np.ndarray:
        q = self.q_lif.forward(self.W_q.forward(s))
        k_pre = self.W_k.forward(s)
        k = np.maximum(k_pre, 0)
        v = self.v_lif.forward(self.W_v.forward(s))
        self._cache = (q, k, v, k_pre > 0)
        a, _, _ = spiking_attention(q, k, v, self.num_heads, self._attention_neuron)
        return self.out_lif.forward(self.W_out.forward(a))

    def _attention_neuron(self, y: np.ndarray):
        return self.attn_lif.forward(y * self.scale), None

    def backward(self, grad: np.ndarray) -> np.ndarray:
        q, k, v, k_on = self._cache
        q_h, k_h, v_h = (split_heads(a, self.num_heads) for a in (q, k, v))
        kv = k_h.swapaxes(-1, -2) @ v_h  # (T, B, H, d, d): V's signed spikes pick K values to add
        gy = split_heads(self.attn_lif.backward(self.W_out.backward(self.out_lif.backward(grad))), self.num_heads)
        gy = gy * self.scale
        gq = gy @ kv.swapaxes(-1, -2)
        g_kv = q_h.swapaxes(-1, -2) @ gy
        gk = v_h @ g_kv.swapaxes(-1, -2)
        gv = k_h @ g_kv
        gs = self.W_q.backward(self.q_lif.backward(merge_heads(gq)))
        gs += self.W_k.backward(merge_heads(gk) * k_on)
        gs += self.W_v.backward(self.v_lif.backward(merge_heads(gv)))
        return gs
