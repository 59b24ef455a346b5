"""Spikformer spiking self-attention (SSA, Zhou et al., ICLR 2023) in the layout ``[T, B, N, D]``.

::

    Q, K, V = LIF(BN(x W_q)), LIF(BN(x W_k)), LIF(BN(x W_v))        tau 2, v_th 1, hard reset to 0
    A       = LIF_attn(Q K^T V * s)                                 s = 0.125, v_th 0.5, no softmax
    out     = LIF(BN(A W_proj))

per head (``[T, B, h, N, d]``). Q, K, V are binary, so ``Q (K^T V)`` is integer-valued: ``K^T V`` is a
popcount of ANDed spike columns and ``Q`` gates additions of its rows. The attention neuron is
positively homogeneous (hard reset to 0), so ``LIF(x * s, v_th)`` fires exactly like
``LIF(x, v_th / s)``: the integer product goes straight into a neuron with threshold
``v_th / s`` (= 4), with no scaling pass, and a fixed-point twin keeps an integer membrane.
The spikes equal SpikingJelly 2.0.0's ``SpikingSelfAttention`` (eval mode) given the same weights;
see ``tests/interop/test_spikingjelly_ssa.py``.
"""

from __future__ import annotations

import numpy as np

from sc_neurocore.transformers._checks import heads_split, positive_float, positive_int
from sc_neurocore.transformers.attention_block import AttentionBlock
from sc_neurocore.models.attention import spiking_attention
from sc_neurocore.models.lif import lif_multistep
from sc_neurocore.transformers.layers import SpikingLinear
from sc_neurocore.transformers.ops import OpCounts, is_spike_tensor, product_ops

__all__ = ["SpikformerSSA"]


class SpikformerSSA(AttentionBlock):
    """Spikformer SSA block. ``qkv`` is a :class:`SpikingLinear` ``D -> 3D`` whose output channels
    are ``[q | k | v]``, each split into heads as ``[head, d]`` (SpikingJelly's ``qkv_conv_bn``);
    ``proj`` is a :class:`SpikingLinear` ``D -> D``.

    After :meth:`forward`, ``last_spikes`` holds the ``qkv``, ``attn`` and ``out`` spikes.
    """

    def __init__(
        self,
        dim: int,
        num_heads: int = 8,
        scale: float = 0.125,
        tau: float = 2.0,
        v_threshold: float = 1.0,
        attn_v_threshold: float = 0.5,
        seed: int = 0,
    ):
        super().__init__(dim)
        self.num_heads = positive_int("num_heads", num_heads)
        self.head_dim = heads_split(self.dim, self.num_heads)
        self.scale = positive_float("scale", scale)
        self.attn_v_threshold = positive_float("attn_v_threshold", attn_v_threshold)
        self.tau = positive_float("tau", tau)
        self.qkv = SpikingLinear(dim, 3 * dim, tau, v_threshold, seed=(seed, 0))
        self.proj = SpikingLinear(dim, dim, tau, v_threshold, seed=(seed, 1))

    def forward(self, x_seq: np.ndarray) -> np.ndarray:
        """``x_seq[T, B, N, D]`` (spikes or real values) -> float32 output spikes ``[T, B, N, D]``."""
        x_seq = self._input(x_seq)
        qkv = self.qkv.forward(x_seq)
        q, k, v = np.split(qkv, 3, axis=-1)  # channels [q | k | v]
        # Q (K^T V): linear in tokens; every entry is an integer count, exact in float32
        attn, _, _ = spiking_attention(q, k, v, self.num_heads, self._attention_neuron)
        out = self.proj.forward(attn)
        self._record(x_seq, {"qkv": qkv, "attn": attn, "out": out})
        return out

    def _attention_neuron(self, drive: np.ndarray):
        """``LIF(s y, v_th)`` as ``LIF(y, v_th / s)`` (hard reset to 0: the same spikes)."""
        return lif_multistep(drive, self.tau, self.attn_v_threshold / self.scale, 0.0)

    def _op_counts(self, x: np.ndarray, s: dict[str, np.ndarray]) -> dict[str, OpCounts]:
        """``projections`` (qkv and proj) and ``attention``."""
        steps, batch, tokens, _ = x.shape
        heads = s["qkv"].reshape(steps, batch, tokens, 3, self.num_heads, self.head_dim)
        q = heads[:, :, :, 0].transpose(0, 1, 3, 2, 4)
        k = heads[:, :, :, 1].transpose(0, 1, 3, 4, 2)
        v = heads[:, :, :, 2].transpose(0, 1, 3, 2, 4)
        projections = product_ops(
            x.reshape(-1, self.dim), self.qkv.weight, is_spike_tensor(x), False
        ) + product_ops(s["attn"].reshape(-1, self.dim), self.proj.weight, True, False)
        attention = product_ops(k, v, True, True) + product_ops(q, k @ v, True, False)
        return {"projections": projections, "attention": attention}
