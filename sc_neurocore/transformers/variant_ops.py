"""The seed API's attention variants (SSA, SDSA, A²OS²A) as IR ops and back.

:func:`attention_variant_op` keeps a layer's arrays (each batch-norm folded to ``y a + b``, which is what
the layer computes with) and its neurons' taus and thresholds; :func:`attention_variant` rebuilds the
layer, whose batch-norms ``BatchNorm(gamma=a, beta=b, mean=0, var=1, eps=0)`` fold to the same ``a`` and
``b`` bit for bit, hence the same forward pass.
"""

from __future__ import annotations

import numpy as np

from sc_neurocore.errors import InputError
from sc_neurocore.ir import blocks as ops
from sc_neurocore.transformers.a2os2a import AdditionOnlyAttention
from sc_neurocore.transformers.layers import BatchNorm
from sc_neurocore.transformers.sdsa import SpikeDrivenSelfAttention
from sc_neurocore.transformers.ssa import SpikformerSSA

__all__ = ["attention_variant_op", "attention_variant"]

# layer class -> (op class, its projections, its neurons that are SpikingLinear layers)
_PARTS = {
    SpikformerSSA: (ops.SpikformerSSAOp, ("qkv", "proj"), ("qkv", "proj")),
    SpikeDrivenSelfAttention: (ops.SpikeDrivenSelfAttentionOp, ("q", "k", "v", "proj"), ("q", "k", "v")),
    AdditionOnlyAttention: (ops.AdditionOnlyAttentionOp, ("q", "k", "v", "proj"), ("q", "proj")),
}


def _layer_neurons(layer) -> dict[str, tuple[float, float]]:
    """``{neuron: (tau, threshold)}`` of the neurons the layer itself holds (not in a SpikingLinear)."""
    if isinstance(layer, SpikformerSSA):
        return {"attn": (layer.tau, layer.attn_v_threshold)}
    if isinstance(layer, SpikeDrivenSelfAttention):
        return {"kv": (layer.tau, layer.kv_v_threshold)}
    return {"v": (layer.tau, layer.v_threshold), "attn": (layer.tau, layer.attn_v_threshold)}


def attention_variant_op(layer) -> ops.SeedAttention:
    """The IR op of an SSA, SDSA or A²OS²A ``layer``."""
    op_class, projections, spiking = _PARTS[type(layer)]
    folds = {name: getattr(layer, name).bn.fold() for name in projections}
    neurons = {name: (getattr(layer, name).tau, getattr(layer, name).v_threshold) for name in spiking}
    neurons.update(_layer_neurons(layer))
    hyper = {"num_heads": layer.num_heads} if hasattr(layer, "num_heads") else {}
    if isinstance(layer, SpikformerSSA):
        hyper["scale"] = layer.scale
    return op_class({name: getattr(layer, name).weight for name in projections},
                    {name: a for name, (a, _) in folds.items()}, {name: b for name, (_, b) in folds.items()},
                    {name: tau for name, (tau, _) in neurons.items()},
                    {name: theta for name, (_, theta) in neurons.items()}, **hyper)


def _new_layer(op: ops.SeedAttention):
    dim, taus, thresholds = op.shape_in[0], op.taus, op.thresholds
    if isinstance(op, ops.SpikformerSSAOp):
        return SpikformerSSA(dim, op.num_heads, op.scale, taus["attn"], thresholds["qkv"], thresholds["attn"])
    if isinstance(op, ops.SpikeDrivenSelfAttentionOp):
        return SpikeDrivenSelfAttention(dim, taus["kv"], thresholds["q"], thresholds["kv"])
    if taus["attn"] != taus["v"]:
        raise InputError(f"the attn and v neurons must share tau (the layer has one), got {taus['attn']} and "
                         f"{taus['v']}")
    return AdditionOnlyAttention(dim, op.num_heads, taus["v"], thresholds["v"], thresholds["attn"])


def attention_variant(op: ops.SeedAttention):
    """The layer ``op`` holds: its hyper-parameters checked as the layer checks them, its projections'
    weights ``op``'s and their batch-norms the folded ``a, b``."""
    layer = _new_layer(op)
    _, projections, spiking = next(parts for parts in _PARTS.values() if parts[0] is type(op))
    for name in projections:
        part, weight = getattr(layer, name), op.weights[name]
        if np.shape(weight) != (part.in_dim, part.out_dim):
            raise InputError(f"{name} has weight {np.shape(weight)}, expected {(part.in_dim, part.out_dim)}")
        part.weight = weight
        part.bn = BatchNorm(part.out_dim, eps=0.0, gamma=op.bn_scales[name], beta=op.bn_shifts[name])
        part.bn.fold()  # shapes checked
    for name in spiking:
        part = getattr(layer, name)
        part.tau, part.v_threshold = op.taus[name], op.thresholds[name]
    return layer
