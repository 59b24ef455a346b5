"""IR ops for what NIR has no node for: attention variants, the spiking SSM, CPG position codes.

Every op is plain data (arrays and hyper-parameters). The seed API makes its ops from its layers
(``spike_driven_attention_op``, ``spiky_state_space_op``, ``attention_variant_op``, ``cpg_encoder_op``)
and :mod:`sc_neurocore.sim.block_forward` runs the attention and SSM ops as those layers rebuilt;
:mod:`sc_neurocore.training` turns its modules into ops and back. ``shape_in``/``shape_out`` are the
feature width of one token (the last axis); the other axes of ``forward``'s input follow the op's ``LAYOUT``:

======  =============================================================================
BND     rates ``(N, D)`` or ``(B, N, D)`` (seed spike-driven attention)
TBND    ``(T, B, N, D)``, time first (SSA, SDSA, A²OS²A, the trained attention)
BTD     ``(T, D)`` or ``(B, T, D)``, time second (SpikyStateSpace, the seed API)
*ND     any leading axes, tokens second to last (position codes: ``y = x + code[token]``)
======  =============================================================================

NIR export and import of these ops: :mod:`sc_neurocore.export.nir_blocks`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from sc_neurocore.errors import InputError, UnsupportedError

from .nodes import Node

__all__ = [
    "BlockOp",
    "SeedAttention",
    "SpikeDrivenAttentionOp",
    "SpikformerSSAOp",
    "SpikeDrivenSelfAttentionOp",
    "AdditionOnlyAttentionOp",
    "SpikyStateSpaceOp",
    "CPGEncoderOp",
    "TrainedAttention",
    "TrainedAttentionOp",
    "TrainedChannelAttentionOp",
    "TrainedAdditionAttentionOp",
    "TrainedPositionOp",
    "TokenReadoutOp",
    "BLOCK_OPS",
]


@dataclass(eq=False)
class BlockOp(Node):
    """An op NIR has no node for; ``KIND`` is its tag in NIR metadata, ``LAYOUT`` its input axes."""

    KIND: ClassVar[str]
    LAYOUT: ClassVar[str]

    def forward(self, x: np.ndarray) -> np.ndarray:
        """The float forward pass of an op that computes it from its own fields; an op whose semantics
        live in a model runs as that model rebuilt from it (:mod:`sc_neurocore.sim.block_forward`)."""
        raise UnsupportedError(f"a {self.KIND} op is data: its float forward is "
                               f"sc_neurocore.sim.block_forward.block_forward(op)")


@dataclass(eq=False)
class SpikeDrivenAttentionOp(BlockOp):
    """The seed's spike-driven attention (:class:`~sc_neurocore.transformers.spikformer.SpikeDrivenAttention`)
    as data: ``W_q, W_k, W_v, W_out`` ``(D, D)`` (``y = x @ W``), ``num_heads``, ``T`` steps, the IF
    ``threshold`` and the ``seed`` the weights were drawn from
    (:func:`sc_neurocore.transformers.spikformer.spike_driven_attention_op` makes it from the layer).
    Its float forward is the layer rebuilt from these fields (:mod:`sc_neurocore.sim.block_forward`)."""

    KIND: ClassVar[str] = "spike_driven_attention"
    LAYOUT: ClassVar[str] = "BND"
    W_q: np.ndarray
    W_k: np.ndarray
    W_v: np.ndarray
    W_out: np.ndarray
    num_heads: int
    T: int
    threshold: float
    seed: int

    @property
    def shape_in(self):
        return (self.W_q.shape[0],)


@dataclass(eq=False)
class SeedAttention(BlockOp):
    """An attention variant of the seed API as data. Per projection (a batch-normed linear map
    ``y = BN(x @ W)``) its ``weights`` ``(in, out)`` and its batch-norm folded to ``y a + b``
    (``bn_scales`` ``a``, ``bn_shifts`` ``b``, float64); per LIF neuron its ``taus`` and ``thresholds``
    (one float each, hard reset to 0). The seed API's ``attention_variant_op`` makes it from a layer
    (:mod:`sc_neurocore.transformers.variant_ops`); its float forward is the layer rebuilt from it."""

    LAYOUT: ClassVar[str] = "TBND"
    weights: dict[str, np.ndarray]
    bn_scales: dict[str, np.ndarray]
    bn_shifts: dict[str, np.ndarray]
    taus: dict[str, float]
    thresholds: dict[str, float]

    @property
    def shape_in(self):
        return (self.weights["proj"].shape[0],)


@dataclass(eq=False)
class SpikformerSSAOp(SeedAttention):
    """:class:`~sc_neurocore.transformers.ssa.SpikformerSSA`: projections ``qkv`` (``D -> 3D``, channels
    ``[q | k | v]``) and ``proj``; neurons ``qkv``, ``attn`` (after ``scale``) and ``proj``."""

    KIND: ClassVar[str] = "spikformer_ssa"
    num_heads: int
    scale: float


@dataclass(eq=False)
class SpikeDrivenSelfAttentionOp(SeedAttention):
    """:class:`~sc_neurocore.transformers.sdsa.SpikeDrivenSelfAttention` (SDSA): projections ``q, k, v``
    and ``proj`` (no neuron); neurons ``q, k, v`` and ``kv``."""

    KIND: ClassVar[str] = "sdsa"


@dataclass(eq=False)
class AdditionOnlyAttentionOp(SeedAttention):
    """:class:`~sc_neurocore.transformers.a2os2a.AdditionOnlyAttention` (A²OS²A): projections ``q, k, v``
    and ``proj``; neurons ``q``, ternary ``v``, ``attn`` (sharing ``v``'s tau) and ``proj``."""

    KIND: ClassVar[str] = "a2os2a"
    num_heads: int


@dataclass(eq=False)
class SpikyStateSpaceOp(BlockOp):
    """The seed's spiking S4D layer (:class:`~sc_neurocore.transformers.ssm.SpikyStateSpace`) as data:
    continuous diagonal ``A`` ``(d_state,)`` (complex for S4D-Lin), ``B`` ``(d_state, d_model)``, ``C``
    ``(d_model, d_state)``, the gate ``threshold``, ``dt`` and the ``init`` and ``seed`` the arrays
    were drawn from (:func:`sc_neurocore.transformers.ssm.spiky_state_space_op` makes it from the layer).
    Its float forward is the layer rebuilt from these fields, state reset
    (:mod:`sc_neurocore.sim.block_forward`)."""

    KIND: ClassVar[str] = "spiky_state_space"
    LAYOUT: ClassVar[str] = "BTD"
    A: np.ndarray
    B: np.ndarray
    C: np.ndarray
    threshold: float
    dt: float
    init: str
    seed: int

    @property
    def shape_in(self):
        return (self.B.shape[1],)


@dataclass(eq=False)
class CPGEncoderOp(BlockOp):
    """A CPG position code added to the tokens: ``y[..., n, :] = x[..., n, :] + code[n]``. ``code``
    ``(max_len, d_model)`` (float64) is what :class:`~sc_neurocore.transformers.cpg.CPGPositionalEncoding`
    with the hyper-parameters ``mode, oscillators, coupling, burn_in, seed`` gives
    (:func:`sc_neurocore.transformers.cpg.cpg_encoder_op`)."""

    KIND: ClassVar[str] = "cpg_encoder"
    LAYOUT: ClassVar[str] = "*ND"
    code: np.ndarray
    mode: str
    oscillators: int
    coupling: float
    burn_in: int
    seed: int

    @property
    def d_model(self) -> int:
        return self.code.shape[1]

    @property
    def max_len(self) -> int:
        return self.code.shape[0]

    @property
    def shape_in(self):
        return (self.d_model,)

    def forward(self, x):
        x = np.asarray(x)
        if x.ndim < 2 or x.shape[-1] != self.d_model:
            raise InputError(f"the CPG encoder needs (..., tokens, {self.d_model}) input, got shape {x.shape}")
        if x.shape[-2] > self.max_len:
            raise InputError(f"seq_len={x.shape[-2]} exceeds max_len={self.max_len}: build the encoder with a "
                             f"larger max_len")
        return x + self.code[: x.shape[-2]]


@dataclass(eq=False)
class TrainedAttention(BlockOp):
    """A trained transformer's attention as its arrays, keyed by NIR node name: ``weights`` ``(out, in)``
    of every projection, ``biases`` of the biased ones, and per neuron its ``taus`` (in steps, ``1 / k``
    of ``u = (1 - k) v + I``) and learnt ``thresholds`` (spike on ``u > theta``, reset to 0). Its forward
    pass is the training module :mod:`sc_neurocore.training.block_ops` builds from these arrays."""

    LAYOUT: ClassVar[str] = "TBND"
    weights: dict[str, np.ndarray]
    biases: dict[str, np.ndarray]
    taus: dict[str, np.ndarray]
    thresholds: dict[str, np.ndarray]

    @property
    def shape_in(self):
        return (self.weights["q"].shape[1],)

    def forward(self, x: np.ndarray) -> np.ndarray:
        raise UnsupportedError(f"a {self.KIND} op is data: it runs as the training module rebuilt from it "
                               f"(sc_neurocore.training.simulation.simulate_trained_ops)")


@dataclass(eq=False)
class TrainedAttentionOp(TrainedAttention):
    """The trained Spikformer SSA (:class:`sc_neurocore.training.modules.attention.TrainableSpikformerSSA`):
    projections ``q, k, v`` (no bias) and ``out``; neurons ``q_lif, k_lif, v_lif, attn_lif, out_lif``;
    V spiked, ``scale`` before the attention neuron. Not the SSA of :mod:`sc_neurocore.transformers`
    (that one divides the input by tau, fires on ``>=`` and has batch-norm), hence its own kind."""

    KIND: ClassVar[str] = "trained_ssa"
    num_heads: int
    scale: float


@dataclass(eq=False)
class TrainedChannelAttentionOp(TrainedAttention):
    """The trained SDSA (:class:`sc_neurocore.training.modules.attention_variants.TrainableSDSA`): biased
    projections ``q, k, v, proj``; neurons ``q_lif, k_lif, v_lif, kv_lif``; real-valued output."""

    KIND: ClassVar[str] = "trained_sdsa"


@dataclass(eq=False)
class TrainedAdditionAttentionOp(TrainedAttention):
    """The trained A²OS²A (:class:`sc_neurocore.training.modules.attention_variants.TrainableA2OS2A`): biased
    projections ``q, k, v, out``; K through ReLU; neurons ``q_lif``, ternary ``v_lif``, ``attn_lif``,
    ``out_lif``; ``scale`` before the attention neuron; spiking output."""

    KIND: ClassVar[str] = "trained_a2os2a"
    num_heads: int
    scale: float


@dataclass(eq=False)
class TrainedPositionOp(BlockOp):
    """The trained model's fixed position currents: ``y[..., n, :] = x[..., n, :] + code[n]``, ``code (L, D)``."""

    KIND: ClassVar[str] = "trained_position"
    LAYOUT: ClassVar[str] = "*ND"
    code: np.ndarray

    @property
    def shape_in(self):
        return (self.code.shape[1],)

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x + self.code


@dataclass(eq=False)
class TokenReadoutOp(BlockOp):
    """Readout of the trained transformer: ``logits = mean_t(flatten(S[t])) W^T + b`` over token
    spikes ``S (T, B, L, D)``, tokens concatenated row-major (token ``l`` meets columns
    ``l D .. l D + D - 1`` of ``weight (classes, L D)``)."""

    KIND: ClassVar[str] = "token_readout"
    LAYOUT: ClassVar[str] = "TBND"
    weight: np.ndarray
    bias: np.ndarray
    tokens: int

    @property
    def shape_in(self):
        return (self.weight.shape[1] // self.tokens,)

    @property
    def shape_out(self):
        return (self.weight.shape[0],)

    def forward(self, s: np.ndarray) -> np.ndarray:
        rates = s.mean(axis=0).reshape(s.shape[1], -1)
        w = self.weight.astype(s.dtype, copy=False)
        return rates @ w.T + self.bias.astype(s.dtype, copy=False)


BLOCK_OPS = {
    cls.KIND: cls
    for cls in (
        SpikeDrivenAttentionOp, SpikformerSSAOp, SpikeDrivenSelfAttentionOp, AdditionOnlyAttentionOp,
        SpikyStateSpaceOp, CPGEncoderOp, TrainedAttentionOp, TrainedChannelAttentionOp, TrainedAdditionAttentionOp,
        TrainedPositionOp, TokenReadoutOp,
    )
}
