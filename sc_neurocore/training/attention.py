"""Spike-driven self-attention (SSA) and CPG position encoding, trainable by BPTT.

SSA over token spikes ``S`` of shape ``(T, B, L, D)`` with ``H`` heads of width ``d = D/H``::

    Q = LIF(S W_q^T),  K = LIF(S W_k^T),  V = LIF(S W_v^T)           (binary spikes, V spiked too)
    A_h = Q_h K_h^T                                                 (popcount of ANDed spike words)
    Z = LIF_attn(scale * A_h V_h  concatenated over heads)          (learnable attention threshold)
    out = LIF_out(Z W_out^T)

``A_h V_h`` only adds rows of ``V`` gated by integer counts, so the core needs no multiplier; ``scale``
is a power of two (a shift). Backward through ``Y = A V``: ``dA = dY V^T``, ``dV = A^T dY``,
``dQ = dA K``, ``dK = dA^T Q``.
"""

from __future__ import annotations

import numpy as np

from sc_neurocore.errors import InputError

from .layers import Linear
from .module import Module
from .neurons import LIF
from .surrogate import Surrogate

__all__ = ["CPGPositionalEncoding", "AddPosition", "SpikeDrivenSelfAttention"]


class CPGPositionalEncoding:
    """Position codes from a chain of phase-locked oscillators, values in ``[0, 1]``.

    Oscillator ``d`` runs at ``omega_d = pi * base^(-d/D)`` rad per token; neighbours keep a fixed phase
    lag ``delta`` (the steady state of nearest-neighbour coupling), so
    ``pe[p, d] = (sin(omega_d p + d delta) + 1) / 2``. Relative position is a phase difference.
    """

    def __init__(self, d_model: int, max_len: int = 512, base: float = 64.0, lag: float = np.pi / 4):
        self.d_model, self.max_len = d_model, max_len
        d = np.arange(d_model)
        self.frequencies = np.pi * base ** (-d / d_model)
        self.phases = d * lag

    def encode(self, seq_len: int) -> np.ndarray:
        """``(seq_len, d_model)`` codes in ``[0, 1]``."""
        p = np.arange(seq_len)[:, None]
        return ((np.sin(p * self.frequencies + self.phases) + 1) / 2).astype(np.float32)


class AddPosition(Module):
    """Adds fixed position currents ``gain * pe`` to token currents ``(..., L, D)``."""

    def __init__(self, encoding: CPGPositionalEncoding, seq_len: int, gain: float = 1.0, dtype=np.float32):
        self.code = (gain * encoding.encode(seq_len)).astype(dtype)

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x + self.code

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad


class SpikeDrivenSelfAttention(Module):
    """Multi-head SSA over ``(T, B, L, D)`` spikes; returns ``(T, B, L, D)`` spikes."""

    def __init__(self, embed_dim: int, num_heads: int, *, rng: np.random.Generator, tau: float = 2.0,
                 threshold: float = 1.0, attn_threshold: float = 1.0, scale: float = 0.125,
                 learn_threshold: bool = True, surrogate: Surrogate | None = None, dtype=np.float32):
        if embed_dim % num_heads:
            raise InputError(f"embed_dim {embed_dim} is not divisible by num_heads {num_heads}")
        self.embed_dim, self.num_heads, self.scale = embed_dim, num_heads, scale
        kw = dict(tau=tau, learn_threshold=learn_threshold, surrogate=surrogate, dtype=dtype)
        self.W_q = Linear(embed_dim, embed_dim, bias=False, rng=rng, gain=2.0, dtype=dtype)
        self.W_k = Linear(embed_dim, embed_dim, bias=False, rng=rng, gain=2.0, dtype=dtype)
        self.W_v = Linear(embed_dim, embed_dim, bias=False, rng=rng, gain=2.0, dtype=dtype)
        self.q_lif = LIF(embed_dim, threshold=threshold, **kw)
        self.k_lif = LIF(embed_dim, threshold=threshold, **kw)
        self.v_lif = LIF(embed_dim, threshold=threshold, **kw)
        self.attn_lif = LIF(embed_dim, threshold=attn_threshold, **kw)
        self.W_out = Linear(embed_dim, embed_dim, rng=rng, gain=2.0, dtype=dtype)
        self.out_lif = LIF(embed_dim, threshold=threshold, **kw)

    def _heads(self, x: np.ndarray) -> np.ndarray:
        *lead, length, _ = x.shape
        return x.reshape(*lead, length, self.num_heads, -1).swapaxes(-2, -3)

    def _merge(self, x: np.ndarray) -> np.ndarray:
        x = x.swapaxes(-2, -3)
        return x.reshape(*x.shape[:-2], self.embed_dim)

    def forward(self, s: np.ndarray) -> np.ndarray:
        q = self._heads(self.q_lif.forward(self.W_q.forward(s)))
        k = self._heads(self.k_lif.forward(self.W_k.forward(s)))
        v = self._heads(self.v_lif.forward(self.W_v.forward(s)))
        a = q @ k.swapaxes(-1, -2)  # (T, B, H, L, L) counts of coincident Q/K spikes
        self._qkva = (q, k, v, a)
        z = self.attn_lif.forward(self._merge(a @ v) * self.scale)
        return self.out_lif.forward(self.W_out.forward(z))

    def backward(self, grad: np.ndarray) -> np.ndarray:
        q, k, v, a = self._qkva
        gy = self._heads(self.attn_lif.backward(self.W_out.backward(self.out_lif.backward(grad)))) * self.scale
        ga = gy @ v.swapaxes(-1, -2)
        gv = a.swapaxes(-1, -2) @ gy
        gq = ga @ k
        gk = ga.swapaxes(-1, -2) @ q
        gs = self.W_q.backward(self.q_lif.backward(self._merge(gq)))
        gs += self.W_k.backward(self.k_lif.backward(self._merge(gk)))
        gs += self.W_v.backward(self.v_lif.backward(self._merge(gv)))
        return gs
