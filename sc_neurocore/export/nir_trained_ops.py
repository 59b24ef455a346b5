"""The trained transformer's ops (:mod:`sc_neurocore.ir.blocks`) as NIR subgraphs, and back: one codec
driven by a table per kind.

A projection is a ``Linear`` (no bias) or an ``Affine`` node, a neuron a ``LIF`` at dt = 1 with
``tau = 1 / k`` and ``r = tau`` (NIR's Euler step then adds exactly the input current), zero leak
potential and reset, and its learnt per-neuron thresholds; ``scale`` is a ``Scale`` node
``attn_scale``. What standard nodes cannot say (K through ReLU, the ternary V neuron, the products
SDSA forms) is fixed per kind and written as constant metadata; the reader checks it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import nir
import numpy as np

from sc_neurocore.errors import ModelError
from sc_neurocore.ir import blocks as ops

from .nir_parts import chain, ends, single_value

__all__ = ["TrainedLayout", "LAYOUTS", "TRAINED_CODECS"]


@dataclass(frozen=True)
class TrainedLayout:
    """Where a trained attention kind keeps its arrays in its subgraph.

    ``nodes`` lists ``(node name, role)`` in the file's order; a role is ``linear``, ``affine``, ``lif``
    or ``scale``. ``hyper`` names the op's hyper-parameters stored as metadata, ``constants`` the
    metadata every file of the kind holds, ``edges`` the dataflow a plain NIR reader sees."""

    op: type
    nodes: tuple[tuple[str, str], ...]
    edges: tuple[tuple[str, str], ...]
    hyper: tuple[str, ...] = ()
    constants: dict = field(default_factory=dict)


def _fan_in(sources, *rest: str) -> tuple[tuple[str, str], ...]:
    """Every source chain ``input -> ...`` into ``rest[0]``, then on through ``rest``."""
    edges = [e for names in sources for e in chain("input", *names, rest[0])]
    return tuple(edges + chain(*rest))


LAYOUTS = {
    ops.TrainedAttentionOp.KIND: TrainedLayout(
        ops.TrainedAttentionOp,
        (("q", "linear"), ("q_lif", "lif"), ("k", "linear"), ("k_lif", "lif"), ("v", "linear"),
         ("v_lif", "lif"), ("attn_scale", "scale"), ("attn_lif", "lif"), ("out", "affine"), ("out_lif", "lif")),
        _fan_in([(n, f"{n}_lif") for n in "qkv"], "attn_scale", "attn_lif", "out", "out_lif", "output"),
        ("num_heads",), {"dt": 1.0},
    ),
    # kv_lif integrates sum over tokens of K * V; proj sees Q * kv (products the kind implies)
    ops.TrainedChannelAttentionOp.KIND: TrainedLayout(
        ops.TrainedChannelAttentionOp,
        (("q", "affine"), ("k", "affine"), ("v", "affine"), ("proj", "affine"), ("q_lif", "lif"), ("k_lif", "lif"),
         ("v_lif", "lif"), ("kv_lif", "lif")),
        _fan_in([(n, f"{n}_lif") for n in "qkv"], "kv_lif", "proj", "output"),
        (), {"dt": 1.0, "kv_input": "sum over tokens of k * v", "proj_input": "q * kv"},
    ),
    # K = ReLU(k) (NIR has no ReLU) and v_lif's ternary spikes are in the metadata; attn_scale takes Q (K^T V)
    ops.TrainedAdditionAttentionOp.KIND: TrainedLayout(
        ops.TrainedAdditionAttentionOp,
        (("q", "affine"), ("k", "affine"), ("v", "affine"), ("out", "affine"), ("q_lif", "lif"), ("v_lif", "lif"),
         ("attn_lif", "lif"), ("out_lif", "lif"), ("attn_scale", "scale")),
        _fan_in([("q", "q_lif"), ("k",), ("v", "v_lif")], "attn_scale", "attn_lif", "out", "out_lif", "output"),
        ("num_heads",), {"dt": 1.0, "k_activation": "relu", "v_neuron": "ternary"},
    ),
}


def _encode_node(op: ops.TrainedAttention, name: str, role: str):
    if role == "linear":
        return nir.Linear(weight=op.weights[name])
    if role == "affine":
        return nir.Affine(weight=op.weights[name], bias=op.biases[name])
    if role == "scale":
        return nir.Scale(scale=np.full(op.shape_in[0], op.scale))
    tau = op.taus[name]
    return nir.LIF(tau=tau, r=tau.copy(), v_leak=np.zeros_like(tau), v_threshold=op.thresholds[name],
                   v_reset=np.zeros_like(tau))


def _encode_attention(op: ops.TrainedAttention):
    layout = LAYOUTS[op.KIND]
    nodes = ends(op.shape_in[0], op.shape_in[0])
    nodes.update({name: _encode_node(op, name, role) for name, role in layout.nodes})
    meta = {key: getattr(op, key) for key in layout.hyper}
    return nodes, list(layout.edges), {**meta, **layout.constants}


def _decode_attention(kind: str):
    layout = LAYOUTS[kind]

    def decode(nodes, meta) -> ops.TrainedAttention:
        for key, value in layout.constants.items():
            if meta.get(key) != value:
                raise ModelError(f"{kind} needs {key} {value!r} in its metadata")
        arrays = {"weights": {}, "biases": {}, "taus": {}, "thresholds": {}}
        hyper = {key: int(meta[key]) for key in layout.hyper}
        for name, role in layout.nodes:
            node = nodes[name]
            if role == "scale":
                hyper["scale"] = single_value(node.scale, name)
            elif role == "lif":
                arrays["taus"][name] = np.asarray(node.tau)
                arrays["thresholds"][name] = np.asarray(node.v_threshold)
            else:
                arrays["weights"][name] = np.asarray(node.weight)
                if role == "affine":
                    arrays["biases"][name] = np.asarray(node.bias)
        return layout.op(**arrays, **hyper)

    return decode


def _encode_position(op: ops.TrainedPositionOp):
    """``y = x + code[token]``: an identity Affine stands for the addition (the code is per token,
    which no standard node can index; it travels in the metadata)."""
    width = op.shape_in[0]
    nodes = ends(width, width)
    nodes["add_code"] = nir.Affine(weight=np.eye(width), bias=np.zeros(width))
    return nodes, chain("input", "add_code", "output"), {"code": np.asarray(op.code)}


def _decode_position(nodes, meta) -> ops.TrainedPositionOp:
    code = np.asarray(meta["code"])
    if code.ndim != 2:
        raise ModelError(f"the position code must be (tokens, width), got shape {code.shape}")
    return ops.TrainedPositionOp(code)


TRAINED_CODECS = {
    **{kind: (_encode_attention, _decode_attention(kind)) for kind in LAYOUTS},
    ops.TrainedPositionOp.KIND: (_encode_position, _decode_position),
}
"""kind -> (encode: op -> (nodes, edges, metadata), decode: (nodes, metadata) -> op)."""
