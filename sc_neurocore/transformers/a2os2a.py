"""Accurate addition-only spiking self-attention (A²OS²A, Guo et al., CVPR 2025), layout ``[T, B, N, D]``;
the op between the projections is :func:`sc_neurocore.models.attention.spiking_attention`.

::

    Q = LIF(BN(x W_q))              binary spikes {0, 1}
    K = ReLU(BN(x W_k))             full precision, >= 0
    V = TernaryLIF(BN(x W_v))       ternary spikes {-1, 0, +1}
    A = LIF(Q (K^T V))              per head; no softmax, no scaling
    out = LIF(BN(A W_proj))

``K^T V`` adds or subtracts K values where V spikes, and ``Q`` selects which of those sums each
token adds up: both products are additions only, which :attr:`op_counts` shows (zero multiplies
in ``attention``). Neurons: tau 2, hard reset to 0; the ternary neuron fires +1 at ``h >= v_th``
and -1 at ``h <= -v_th`` (:func:`sc_neurocore.models.lif.ternary_lif_step`).
"""

from __future__ import annotations

from functools import partial

import numpy as np

from sc_neurocore.models.attention import spiking_attention, split_heads
from sc_neurocore.models.lif import lif_multistep, ternary_lif_multistep
from sc_neurocore.transformers._checks import heads_split, positive_float, positive_int
from sc_neurocore.transformers.attention_block import AttentionBlock
from sc_neurocore.transformers.layers import BNLinear, SpikingLinear
from sc_neurocore.transformers.ops import OpCounts, product_ops, projection_ops

__all__ = ["AdditionOnlyAttention"]


class AdditionOnlyAttention(AttentionBlock):
    """A²OS²A block: ``q`` (:class:`SpikingLinear`), ``k`` and ``v`` (:class:`BNLinear`) and
    ``proj`` (:class:`SpikingLinear`), heads of width ``dim / num_heads``."""

    def __init__(
        self,
        dim: int,
        num_heads: int = 8,
        tau: float = 2.0,
        v_threshold: float = 1.0,
        attn_v_threshold: float = 1.0,
        seed: int = 0,
    ):
        super().__init__(dim)
        self.num_heads = positive_int("num_heads", num_heads)
        heads_split(self.dim, self.num_heads)
        self.tau = positive_float("tau", tau)
        self.v_threshold = positive_float("v_threshold", v_threshold)
        self.attn_v_threshold = positive_float("attn_v_threshold", attn_v_threshold)
        self.q = SpikingLinear(dim, dim, tau, v_threshold, seed=(seed, 0))
        self.k = BNLinear(dim, dim, seed=(seed, 1))
        self.v = BNLinear(dim, dim, seed=(seed, 2))
        self.proj = SpikingLinear(dim, dim, tau, v_threshold, seed=(seed, 3))

    def forward(self, x_seq: np.ndarray) -> np.ndarray:
        """``x_seq[T, B, N, D]`` -> float32 output spikes ``[T, B, N, D]``."""
        x_seq = self._input(x_seq)
        q = self.q.forward(x_seq)
        k = np.maximum(self.k.forward(x_seq), 0)
        v, _ = ternary_lif_multistep(self.v.forward(x_seq), self.tau, self.v_threshold)
        neuron = partial(lif_multistep, tau=self.tau, v_threshold=self.attn_v_threshold, v_reset=0.0)
        attn, _, _ = spiking_attention(q, k, v, self.num_heads, neuron)
        self._record(x_seq, {"q": q, "k": k, "v": v, "attn": attn})
        return self.proj.forward(attn)

    def _op_counts(self, x: np.ndarray, s: dict[str, np.ndarray]) -> dict[str, OpCounts]:
        """``projections`` and ``attention`` (additions only)."""
        x = x.reshape(-1, self.dim)
        projections = projection_ops(x, (self.q, self.k, self.v), s["attn"].reshape(-1, self.dim), self.proj.weight)
        q_h, k_h, v_h = (split_heads(s[name], self.num_heads) for name in ("q", "k", "v"))
        kv = k_h.swapaxes(-1, -2) @ v_h
        attention = product_ops(k_h.swapaxes(-1, -2), v_h, False, True) + product_ops(q_h, kv, True, False)
        return {"projections": projections, "attention": attention}
