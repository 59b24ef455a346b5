"""Spike-driven self-attention (SDSA, Yao et al., NeurIPS 2023) in the layout ``[T, B, N, D]``.

::

    Q, K, V = LIF(BN(x W_q)), LIF(BN(x W_k)), LIF(BN(x W_v))     binary, tau 2, v_th 1
    kv      = LIF_0.5( sum_n K[n] AND V[n] )                      [T, B, D]: token popcount per channel
    out     = BN((Q AND kv) W_proj)                               real-valued, for a residual add

The op between the projections is :func:`sc_neurocore.models.sdsa.sdsa_attention`; here with
SpikingJelly neurons (:mod:`sc_neurocore.models.lif`) and batch-norm.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from sc_neurocore.models.lif import lif_multistep
from sc_neurocore.models.sdsa import sdsa_attention
from sc_neurocore.transformers._checks import positive_float
from sc_neurocore.transformers.attention_block import AttentionBlock
from sc_neurocore.transformers.layers import BNLinear, SpikingLinear
from sc_neurocore.transformers.ops import OpCounts, projection_ops

__all__ = ["SpikeDrivenSelfAttention"]


class SpikeDrivenSelfAttention(AttentionBlock):
    """SDSA block with ``q``, ``k``, ``v`` (:class:`SpikingLinear`) and ``proj`` (:class:`BNLinear`)."""

    def __init__(
        self,
        dim: int,
        tau: float = 2.0,
        v_threshold: float = 1.0,
        kv_v_threshold: float = 0.5,
        seed: int = 0,
    ):
        super().__init__(dim)
        self.tau = positive_float("tau", tau)
        self.kv_v_threshold = positive_float("kv_v_threshold", kv_v_threshold)
        self.q, self.k, self.v = (SpikingLinear(dim, dim, tau, v_threshold, seed=(seed, i)) for i in range(3))
        self.proj = BNLinear(dim, dim, seed=(seed, 3))

    def forward(self, x_seq: np.ndarray) -> np.ndarray:
        """``x_seq[T, B, N, D]`` -> float32 ``[T, B, N, D]`` (add it to the residual stream)."""
        x_seq = self._input(x_seq)
        q, k, v = self.q.forward(x_seq), self.k.forward(x_seq), self.v.forward(x_seq)
        neuron = partial(lif_multistep, tau=self.tau, v_threshold=self.kv_v_threshold, v_reset=0.0)
        gated, kv, _, _ = sdsa_attention(q, k, v, neuron)
        self._record(x_seq, {"q": q, "k": k, "v": v, "kv": kv, "gated": gated})
        return self.proj.forward(gated)

    def _op_counts(self, x: np.ndarray, s: dict[str, np.ndarray]) -> dict[str, OpCounts]:
        """``projections`` and ``attention`` (ANDs and counts)."""
        x = x.reshape(-1, self.dim)
        projections = projection_ops(x, (self.q, self.k, self.v), s["gated"].reshape(-1, self.dim), self.proj.weight)
        elements = s["q"].size
        attention = OpCounts(
            accumulates=int(np.count_nonzero(s["k"] * s["v"])), and_ops=2 * elements
        )
        return {"projections": projections, "attention": attention}
