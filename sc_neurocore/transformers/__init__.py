"""Spiking transformers and spiking state-space models in NumPy.

The seed API (:mod:`.spikformer`): :class:`SpikeDrivenAttention`, :class:`SpikyStateSpace`,
:class:`CPGPositionalEncoding`. The published attention variants in the multi-step layout
``[T, B, N, D]``: :class:`SpikformerSSA` (Zhou et al. 2023), :class:`SpikeDrivenSelfAttention`
(Yao et al. 2023), :class:`AdditionOnlyAttention` (A²OS²A, Guo et al. 2025), composed by
:class:`SpikingTransformerBlock`. The neurons and the attention, SSM and CPG dynamics are defined once
in :mod:`sc_neurocore.models` (shared with the trainable layers of :mod:`sc_neurocore.training`);
op counting is in :mod:`.ops`; the integer twins are in :mod:`sc_neurocore.sim.twins`.
"""

from sc_neurocore.transformers.a2os2a import AdditionOnlyAttention
from sc_neurocore.transformers.block import SpikingMLP, SpikingTransformerBlock
from sc_neurocore.transformers.cpg import CPGPositionalEncoding
from sc_neurocore.transformers.layers import BatchNorm, BNLinear, SpikingLinear
from sc_neurocore.transformers.ops import OpCounts
from sc_neurocore.transformers.sdsa import SpikeDrivenSelfAttention
from sc_neurocore.transformers.spikformer import SpikeDrivenAttention
from sc_neurocore.transformers.ssa import SpikformerSSA
from sc_neurocore.transformers.ssm import SpikyStateSpace

__all__ = [
    "SpikeDrivenAttention",
    "SpikyStateSpace",
    "CPGPositionalEncoding",
    "SpikformerSSA",
    "SpikeDrivenSelfAttention",
    "AdditionOnlyAttention",
    "SpikingTransformerBlock",
    "SpikingMLP",
    "SpikingLinear",
    "BNLinear",
    "BatchNorm",
    "OpCounts",
]
