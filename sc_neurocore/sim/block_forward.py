"""The float forward pass of a block op (:mod:`sc_neurocore.ir.blocks`).

An op whose semantics are a seed-API model (:mod:`sc_neurocore.transformers`) is data; it runs as that
model rebuilt from its fields, so the IR computes exactly what the user's layer computes. The other ops
compute their forward from their own fields (``op.forward``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sc_neurocore.ir import blocks as ops
from sc_neurocore.transformers.spikformer import spike_driven_attention
from sc_neurocore.transformers.ssm import spiky_state_space
from sc_neurocore.transformers.variant_ops import attention_variant

__all__ = ["MODELS", "block_model", "block_forward"]

MODELS: dict[type, Callable] = {
    ops.SpikeDrivenAttentionOp: spike_driven_attention,
    ops.SpikyStateSpaceOp: spiky_state_space,
    ops.SpikformerSSAOp: attention_variant,
    ops.SpikeDrivenSelfAttentionOp: attention_variant,
    ops.AdditionOnlyAttentionOp: attention_variant,
}
"""op class -> the function that rebuilds the op's seed-API model from the op."""


def block_model(op: ops.BlockOp):
    """The seed-API model ``op`` holds (a fresh one per call: its forward keeps per-run state)."""
    return MODELS[type(op)](op)


def block_forward(op: ops.BlockOp) -> Callable[[np.ndarray], np.ndarray]:
    """``x -> y``: the float forward pass of ``op`` on input in its ``LAYOUT`` (a seed-API op's model is
    built here: keep the result to run it again, as a graph's executor does, :mod:`sc_neurocore.sim.blocks`)."""
    return block_model(op).forward if type(op) in MODELS else op.forward
