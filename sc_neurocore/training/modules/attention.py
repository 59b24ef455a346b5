"""Spikformer spiking self-attention (SSA), trainable by BPTT.

SSA over token spikes ``S`` of shape ``(T, B, L, D)`` with ``H`` heads of width ``d = D/H``::

    Q = LIF(S W_q^T),  K = LIF(S W_k^T),  V = LIF(S W_v^T)           (binary spikes, V spiked too)
    A_h = Q_h K_h^T                                                 (popcount of ANDed spike words)
    Z = LIF_attn(scale * A_h V_h  concatenated over heads)          (learnable attention threshold)
    out = LIF_out(Z W_out^T)

The forward pass is :func:`sc_neurocore.models.attention.spiking_attention` with the training LIFs:
``Q_h (K_h^T V_h)``, the same integers as ``A_h V_h``. ``A_h V_h`` only adds rows of ``V`` gated by
integer counts, so the core needs no multiplier; ``scale`` is a power of two (a shift). Backward
through ``Y = A V``: ``dA = dY V^T``, ``dV = A^T dY``, ``dQ = dA K``, ``dK = dA^T Q``.
"""

from __future__ import annotations

import numpy as np

from sc_neurocore.errors import InputError
from sc_neurocore.models.attention import merge_heads, spiking_attention, split_heads

from .layers import TrainableLinear
from .module import Module
from .neurons import TrainableLIF
from .surrogate import Surrogate

__all__ = ["TrainableSpikformerSSA"]


class TrainableSpikformerSSA(Module):
    """Multi-head Spikformer SSA over ``(T, B, L, D)`` spikes; returns ``(T, B, L, D)`` spikes."""

    def __init__(self, embed_dim: int, num_heads: int, *, rng: np.random.Generator, tau: float = 2.0,
                 threshold: float = 1.0, attn_threshold: float = 1.0, scale: float = 0.125,
                 learn_threshold: bool = True, surrogate: Surrogate | None = None, dtype=np.float32):
        if embed_dim % num_heads:
            raise InputError(f"embed_dim {embed_dim} is not divisible by num_heads {num_heads}")
        self.embed_dim, self.num_heads, self.scale = embed_dim, num_heads, scale
        kw = dict(tau=tau, learn_threshold=learn_threshold, surrogate=surrogate, dtype=dtype)
        self.W_q = TrainableLinear(embed_dim, embed_dim, bias=False, rng=rng, gain=2.0, dtype=dtype)
        self.W_k = TrainableLinear(embed_dim, embed_dim, bias=False, rng=rng, gain=2.0, dtype=dtype)
        self.W_v = TrainableLinear(embed_dim, embed_dim, bias=False, rng=rng, gain=2.0, dtype=dtype)
        self.q_lif = TrainableLIF(embed_dim, threshold=threshold, **kw)
        self.k_lif = TrainableLIF(embed_dim, threshold=threshold, **kw)
        self.v_lif = TrainableLIF(embed_dim, threshold=threshold, **kw)
        self.attn_lif = TrainableLIF(embed_dim, threshold=attn_threshold, **kw)
        self.W_out = TrainableLinear(embed_dim, embed_dim, rng=rng, gain=2.0, dtype=dtype)
        self.out_lif = TrainableLIF(embed_dim, threshold=threshold, **kw)

    def _attention_neuron(self, y: np.ndarray):
        return self.attn_lif.forward(y * self.scale), None

    def forward(self, s: np.ndarray) -> np.ndarray:
        q = self.q_lif.forward(self.W_q.forward(s))
        k = self.k_lif.forward(self.W_k.forward(s))
        v = self.v_lif.forward(self.W_v.forward(s))
        self._qkv = (q, k, v)
        z, _, _ = spiking_attention(q, k, v, self.num_heads, self._attention_neuron)
        return self.out_lif.forward(self.W_out.forward(z))

    def backward(self, grad: np.ndarray) -> np.ndarray:
        q, k, v = (split_heads(a, self.num_heads) for a in self._qkv)
        a = q @ k.swapaxes(-1, -2)  # (T, B, H, L, L) counts of coincident Q/K spikes
        gy = split_heads(self.attn_lif.backward(self.W_out.backward(self.out_lif.backward(grad))), self.num_heads)
        gy = gy * self.scale
        ga = gy @ v.swapaxes(-1, -2)
        gv = a.swapaxes(-1, -2) @ gy
        gq = ga @ k
        gk = ga.swapaxes(-1, -2) @ q
        gs = self.W_q.backward(self.q_lif.backward(merge_heads(gq)))
        gs += self.W_k.backward(self.k_lif.backward(merge_heads(gk)))
        gs += self.W_v.backward(self.v_lif.backward(merge_heads(gv)))
        return gs
