"""IR ops for what NIR has no node for: attention variants, the spiking SSM, CPG position codes.

Each op wraps the model object that defines its float semantics (the seed API classes of
:mod:`sc_neurocore.transformers`, or the trained modules of :mod:`sc_neurocore.training`), so the IR
runs exactly the code the user built. ``shape_in``/``shape_out`` are the feature width of one token
(the last axis); the other axes of ``forward``'s input follow the op's ``LAYOUT``:

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

from sc_neurocore.errors import InputError

from .nodes import Node

__all__ = [
    "BlockOp",
    "ModelOp",
    "SpikeDrivenAttentionOp",
    "SpikformerSSAOp",
    "SpikeDrivenSelfAttentionOp",
    "AdditionOnlyAttentionOp",
    "SpikyStateSpaceOp",
    "CPGEncoderOp",
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
        raise NotImplementedError


@dataclass(eq=False)
class ModelOp(BlockOp):
    """A block op that wraps the model object ``op`` and runs its forward pass."""

    op: object

    @property
    def width(self) -> int:
        raise NotImplementedError

    @property
    def shape_in(self):
        return (self.width,)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """The op's float forward pass on ``x`` in its ``LAYOUT``."""
        return self.op.forward(x)


@dataclass(eq=False)
class SpikeDrivenAttentionOp(ModelOp):
    """:class:`~sc_neurocore.transformers.spikformer.SpikeDrivenAttention` (the seed's attention)."""

    KIND: ClassVar[str] = "spike_driven_attention"
    LAYOUT: ClassVar[str] = "BND"

    @property
    def width(self):
        return self.op.embed_dim


@dataclass(eq=False)
class SpikformerSSAOp(ModelOp):
    """:class:`~sc_neurocore.transformers.ssa.SpikformerSSA`."""

    KIND: ClassVar[str] = "spikformer_ssa"
    LAYOUT: ClassVar[str] = "TBND"

    @property
    def width(self):
        return self.op.dim


@dataclass(eq=False)
class SpikeDrivenSelfAttentionOp(SpikformerSSAOp):
    """:class:`~sc_neurocore.transformers.sdsa.SpikeDrivenSelfAttention` (SDSA)."""

    KIND: ClassVar[str] = "sdsa"


@dataclass(eq=False)
class AdditionOnlyAttentionOp(SpikformerSSAOp):
    """:class:`~sc_neurocore.transformers.a2os2a.AdditionOnlyAttention` (A²OS²A)."""

    KIND: ClassVar[str] = "a2os2a"


@dataclass(eq=False)
class SpikyStateSpaceOp(ModelOp):
    """:class:`~sc_neurocore.transformers.ssm.SpikyStateSpace`; ``forward`` resets the state first."""

    KIND: ClassVar[str] = "spiky_state_space"
    LAYOUT: ClassVar[str] = "BTD"

    @property
    def width(self):
        return self.op.d_model


@dataclass(eq=False)
class CPGEncoderOp(ModelOp):
    """:class:`~sc_neurocore.transformers.cpg.CPGPositionalEncoding` added to the tokens:
    ``y[..., n, :] = x[..., n, :] + encode(N)[n]`` (the continuous code, float64)."""

    KIND: ClassVar[str] = "cpg_encoder"
    LAYOUT: ClassVar[str] = "*ND"

    @property
    def width(self):
        return self.op.d_model

    def forward(self, x):
        x = np.asarray(x)
        if x.ndim < 2 or x.shape[-1] != self.width:
            raise InputError(f"the CPG encoder needs (..., tokens, {self.width}) input, got shape {x.shape}")
        return x + self.op.encode(x.shape[-2])


@dataclass(eq=False)
class TrainedAttentionOp(ModelOp):
    """The trained :class:`sc_neurocore.training.attention.TrainableSpikformerSSA`: LIFs with
    ``u = (1 - k) v + I``, strict ``u > theta``, learnt per-neuron thresholds, V spiked, biased output
    projection. Not the SSA of :mod:`sc_neurocore.transformers` (that one divides the input by tau,
    fires on ``>=`` and has batch-norm), hence its own kind."""

    KIND: ClassVar[str] = "trained_ssa"
    LAYOUT: ClassVar[str] = "TBND"

    @property
    def width(self):
        return self.op.embed_dim


@dataclass(eq=False)
class TrainedChannelAttentionOp(ModelOp):
    """The trained :class:`sc_neurocore.training.attention_variants.TrainableSDSA` (SDSA):
    training LIFs as in ``trained_ssa``, biased Q/K/V and output projections, real-valued output."""

    KIND: ClassVar[str] = "trained_sdsa"
    LAYOUT: ClassVar[str] = "TBND"

    @property
    def width(self):
        return self.op.W_q.weight.value.shape[1]


@dataclass(eq=False)
class TrainedAdditionAttentionOp(ModelOp):
    """The trained :class:`sc_neurocore.training.attention_variants.TrainableA2OS2A` (A²OS²A):
    K through ReLU, V through a ternary training LIF, spiking output."""

    KIND: ClassVar[str] = "trained_a2os2a"
    LAYOUT: ClassVar[str] = "TBND"

    @property
    def width(self):
        return self.op.W_q.weight.value.shape[1]


@dataclass(eq=False)
class TrainedPositionOp(ModelOp):
    """The trained model's fixed position currents: ``y[..., n, :] = x[..., n, :] + code[n]``;
    ``op`` is the :class:`sc_neurocore.training.layers.AddPosition` holding ``code (L, D)``."""

    KIND: ClassVar[str] = "trained_position"
    LAYOUT: ClassVar[str] = "*ND"

    @property
    def width(self):
        return self.op.code.shape[1]


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
