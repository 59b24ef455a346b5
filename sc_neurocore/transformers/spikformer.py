"""The seed API: spike-driven attention, the spiking state-space model and CPG position encoding.

:class:`SpikeDrivenAttention` lives here; :class:`SpikyStateSpace` and
:class:`CPGPositionalEncoding` are defined in :mod:`.ssm` and :mod:`.cpg` and re-exported so that
``sc_neurocore.transformers.spikformer.<Name>`` works as in the API reference.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sc_neurocore.errors import InputError
from sc_neurocore.ir.blocks import SpikeDrivenAttentionOp
from sc_neurocore.models.attention import head_product, merge_heads
from sc_neurocore.models.integrate_and_fire import if_constant_drive
from sc_neurocore.transformers._checks import heads_split, last_dim, positive_float, positive_int, real_array
from sc_neurocore.transformers.cpg import CPGPositionalEncoding
from sc_neurocore.transformers.ops import OpCounts, is_spike_tensor, product_ops
from sc_neurocore.transformers.ssm import SpikyStateSpace

__all__ = [
    "SpikeDrivenAttention", "SpikyStateSpace", "CPGPositionalEncoding", "spike_driven_attention_op",
    "spike_driven_attention",
]


@dataclass(eq=False)
class SpikeDrivenAttention:
    """Multi-head spike-driven self-attention with an addition-only core.

    For input rates ``x`` (``(D,)``, ``(N, D)`` or ``(B, N, D)``) and each head ``h``::

        P_q, P_k, P_v = x W_q, x W_k, x W_v                        projections (multiplies)
        Q_t = IF(relu(P_q) / T),  K_t = IF(relu(P_k) / T)          binary spikes, t = 1..T
        V_t = sign(P_v) * IF(|P_v| / T)                            ternary spikes
        A_t[i, j] = popcount(Q_t[i] AND K_t[j])                    per head, no multiplies
        acc[i]    = sum_t sum_j A_t[i, j] * V_t[j]                 gated additions / subtractions
        out       = concat_h(acc) * (1 / (T sqrt(d))) W_out         projection (multiplies)

    ``IF`` is integrate-and-fire with threshold ``threshold`` and reset by subtraction, fed a
    constant current for ``T`` steps; its count has the closed form
    ``n_t = min(t, floor(t * drive / (T * threshold)))`` (see :func:`sc_neurocore.models.integrate_and_fire.if_constant_drive`),
    so the steps are computed without a loop. ``acc`` is an integer, the natural register of a
    fixed-point twin; the constant ``1 / (T sqrt(d))`` is folded into the output projection.
    The simulator evaluates ``sum_j A_t[i, j] V_t[j]`` as ``Q_t (K_t^T V_t)``: the same integers,
    exact in float32, in time linear in N. :attr:`op_counts` counts the dataflow above.

    ``W_q, W_k, W_v, W_out`` (``(D, D)``, ``y = x @ W``) are plain attributes, initialised from
    ``seed``. :attr:`op_counts` reports the operations of the last forward pass.
    """

    embed_dim: int
    num_heads: int = 1
    T: int = 8
    threshold: float = 1.0
    seed: int = 0

    def __post_init__(self):
        positive_int("embed_dim", self.embed_dim)
        positive_int("num_heads", self.num_heads)
        positive_int("T", self.T)
        positive_float("threshold", self.threshold)
        self.head_dim = heads_split(self.embed_dim, self.num_heads)
        rng = np.random.default_rng(self.seed)
        scale = np.sqrt(2.0 / self.embed_dim)
        shape = (self.embed_dim, self.embed_dim)
        self.W_q, self.W_k, self.W_v, self.W_out = (rng.standard_normal(shape) * scale for _ in range(4))
        self._last: dict[str, np.ndarray] = {}

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Attention output with the shape of ``x`` (float64)."""
        x = real_array("x", x, (1, 2, 3))
        last_dim("x", x, self.embed_dim)
        batch = x.reshape((-1,) + x.shape[-2:]) if x.ndim > 1 else x.reshape(1, 1, -1)
        batch = batch.astype(np.float64, copy=False)
        drive = batch @ np.concatenate((self.W_q, self.W_k, self.W_v), axis=1)
        # [3, B, h, N, d], contiguous so that every per-head product below runs in BLAS
        drive = np.ascontiguousarray(
            drive.reshape(drive.shape[:2] + (3, self.num_heads, self.head_dim)).transpose(2, 0, 3, 1, 4)
        )
        # spikes are 0 / +-1 and every sum below is a small integer: float32 is exact
        q = if_constant_drive(drive[0], self.T, self.threshold, dtype=np.float32)  # [T, B, h, N, d]
        k = if_constant_drive(drive[1], self.T, self.threshold, dtype=np.float32)
        v = if_constant_drive(drive[2], self.T, self.threshold, signed=True, dtype=np.float32)
        # sum_j popcount(Q_i AND K_j) V_j = Q_i (K^T V): the same integers, linear in N
        acc = merge_heads(head_product(q, k, v).sum(axis=0, dtype=np.float64))
        out = acc @ (self.W_out * (1.0 / (self.T * np.sqrt(self.head_dim))))
        self._last = {"x": batch, "q": q, "k": k, "v": v, "acc": acc}
        return out.reshape(x.shape)

    @property
    def op_counts(self) -> dict[str, OpCounts]:
        """Operations of the last forward pass, summed over the batch.

        ``attention``: ``Q AND K`` popcounts and the V aggregation gated by those counts.
        ``projections``: the Q, K, V and output projections. Empty counts before any forward.
        """
        if not self._last:
            return {"projections": OpCounts(), "attention": OpCounts()}
        last = self._last
        x_spikes = is_spike_tensor(last["x"])
        projections = OpCounts()
        for weight in (self.W_q, self.W_k, self.W_v):
            projections += product_ops(last["x"], weight, x_spikes, False)
        projections += product_ops(last["acc"], self.W_out, False, False)
        counts = last["q"] @ last["k"].swapaxes(-1, -2)  # [T, B, h, N, N] popcounts, as in hardware
        attention = product_ops(last["q"], last["k"].swapaxes(-1, -2), True, True)
        attention += product_ops(counts, last["v"], False, True)
        return {"projections": projections, "attention": attention}

    @property
    def num_multiply_ops(self) -> int:
        """Multiplications in the attention core of the last forward pass (0: spike operands only)."""
        return self.op_counts["attention"].multiplies

    @property
    def num_accumulate_ops(self) -> int:
        """Additions in the attention core of the last forward pass (popcount + gated V additions)."""
        return self.op_counts["attention"].accumulates


def spike_driven_attention_op(layer: SpikeDrivenAttention) -> SpikeDrivenAttentionOp:
    """The IR op of ``layer``: its four weight matrices and hyper-parameters (the arrays themselves)."""
    return SpikeDrivenAttentionOp(layer.W_q, layer.W_k, layer.W_v, layer.W_out, layer.num_heads, layer.T,
                                  layer.threshold, layer.seed)


def spike_driven_attention(op: SpikeDrivenAttentionOp) -> SpikeDrivenAttention:
    """The layer ``op`` holds (its hyper-parameters checked as the layer checks them, its weights ``op``'s)."""
    layer = SpikeDrivenAttention(op.W_q.shape[0], op.num_heads, op.T, op.threshold, op.seed)
    for name in ("W_q", "W_k", "W_v", "W_out"):
        weight = getattr(op, name)
        if np.shape(weight) != (layer.embed_dim,) * 2:
            raise InputError(f"{name} has shape {np.shape(weight)}, expected {(layer.embed_dim,) * 2}")
        setattr(layer, name, weight)
    return layer
