"""The table-driven codec of the block ops made of projections and neurons: the trained transformer's
ops and the seed API's attention variants (:mod:`sc_neurocore.ir.blocks`) as NIR subgraphs, and back.

A layout lists, per kind, its nodes in the file's order with their role and the op entry they hold:

==========  ====================================================================================
``linear``  a trained projection without bias: ``Linear (out, in)`` of ``weights[key]``
``affine``  a trained projection: ``Affine`` of ``weights[key]`` and ``biases[key]``
``lif``     a trained neuron: ``LIF`` at dt = 1 with ``tau = 1 / k`` and ``r = tau`` (NIR's Euler step
            then adds exactly the input current), zero leak and reset, its learnt thresholds
``weight``  a seed projection ``y = x @ W``: ``Linear`` of ``weights[key].T`` (``part``: its ``part``-th
            block of output channels, SSA's one qkv projection as q, k and v)
``bn``      the seed projection's batch-norm, folded: ``Affine(diag(bn_scales[key]), bn_shifts[key])``
``neuron``  a seed neuron: SpikingJelly's ``h = v + (x - v) / tau`` is NIR's LIF Euler step at dt = 1
            with r = 1; one tau and threshold (``taus[key]``, ``thresholds[key]``)
``scale``   ``attn_scale``: a ``Scale`` node of the op's ``scale``
==========  ====================================================================================

What standard nodes cannot say (K through ReLU, the ternary V neuron, the products SDSA forms) is fixed
per kind and written as constant metadata; the reader checks it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import nir
import numpy as np

from sc_neurocore.errors import ModelError
from sc_neurocore.ir import blocks as ops
from sc_neurocore.transformers.variant_ops import attention_variant

from .nir_parts import chain, ends, single_value

__all__ = ["OpLayout", "LAYOUTS", "TABLE_CODECS"]


@dataclass(frozen=True)
class OpLayout:
    """Where a kind keeps its arrays in its subgraph.

    ``nodes`` lists ``(node name, role, key, part)`` in the file's order (``key`` the op's entry, None
    for ``scale``; ``part`` None or the block of output channels the node holds). ``hyper`` names the
    op's integer hyper-parameters stored as metadata, ``constants`` the metadata every file of the kind
    holds, ``edges`` the dataflow a plain NIR reader sees."""

    op: type
    nodes: tuple[tuple[str, str, str | None, int | None], ...]
    edges: tuple[tuple[str, str], ...]
    hyper: tuple[str, ...] = ()
    constants: dict = field(default_factory=dict)


def _fan_in(sources, *rest: str) -> tuple[tuple[str, str], ...]:
    """Every source chain ``input -> ...`` into ``rest[0]``, then on through ``rest``."""
    edges = [e for names in sources for e in chain("input", *names, rest[0])]
    return tuple(edges + chain(*rest))


def _roles(*rows) -> tuple:
    """Rows ``(name, role)`` or ``(name, role, key)`` or ``(name, role, key, part)``; the key defaults
    to the name without its ``_lif``/``_bn`` suffix."""
    full = []
    for row in rows:
        name, role, *rest = row
        key = rest[0] if rest else (None if role == "scale" else name.removesuffix("_lif").removesuffix("_bn"))
        full.append((name, role, key, rest[1] if len(rest) > 1 else None))
    return tuple(full)


def _seed_projection(name: str, key: str | None = None, part: int | None = None, neuron: bool = True) -> tuple:
    key = key or name
    rows = [(name, "weight", key, part), (f"{name}_bn", "bn", key, part)]
    return tuple(rows + ([(f"{name}_lif", "neuron", key)] if neuron else []))


LAYOUTS = {
    ops.TrainedAttentionOp.KIND: OpLayout(
        ops.TrainedAttentionOp,
        _roles(("q", "linear"), ("q_lif", "lif", "q_lif"), ("k", "linear"), ("k_lif", "lif", "k_lif"),
               ("v", "linear"), ("v_lif", "lif", "v_lif"), ("attn_scale", "scale"), ("attn_lif", "lif", "attn_lif"),
               ("out", "affine"), ("out_lif", "lif", "out_lif")),
        _fan_in([(n, f"{n}_lif") for n in "qkv"], "attn_scale", "attn_lif", "out", "out_lif", "output"),
        ("num_heads",), {"dt": 1.0},
    ),
    # kv_lif integrates sum over tokens of K * V; proj sees Q * kv (products the kind implies)
    ops.TrainedChannelAttentionOp.KIND: OpLayout(
        ops.TrainedChannelAttentionOp,
        _roles(("q", "affine"), ("k", "affine"), ("v", "affine"), ("proj", "affine"), ("q_lif", "lif", "q_lif"),
               ("k_lif", "lif", "k_lif"), ("v_lif", "lif", "v_lif"), ("kv_lif", "lif", "kv_lif")),
        _fan_in([(n, f"{n}_lif") for n in "qkv"], "kv_lif", "proj", "output"),
        (), {"dt": 1.0, "kv_input": "sum over tokens of k * v", "proj_input": "q * kv"},
    ),
    # K = ReLU(k) (NIR has no ReLU) and v_lif's ternary spikes are in the metadata; attn_scale takes Q (K^T V)
    ops.TrainedAdditionAttentionOp.KIND: OpLayout(
        ops.TrainedAdditionAttentionOp,
        _roles(("q", "affine"), ("k", "affine"), ("v", "affine"), ("out", "affine"), ("q_lif", "lif", "q_lif"),
               ("v_lif", "lif", "v_lif"), ("attn_lif", "lif", "attn_lif"), ("out_lif", "lif", "out_lif"),
               ("attn_scale", "scale")),
        _fan_in([("q", "q_lif"), ("k",), ("v", "v_lif")], "attn_scale", "attn_lif", "out", "out_lif", "output"),
        ("num_heads",), {"dt": 1.0, "k_activation": "relu", "v_neuron": "ternary"},
    ),
    # one qkv projection, its output channels [q | k | v] written as q, k and v
    ops.SpikformerSSAOp.KIND: OpLayout(
        ops.SpikformerSSAOp,
        _roles(*(row for i, n in enumerate("qkv") for row in _seed_projection(n, "qkv", i)),
               ("attn_scale", "scale"), ("attn_lif", "neuron"), *_seed_projection("proj")),
        _fan_in([(n, f"{n}_bn", f"{n}_lif") for n in "qkv"], "attn_scale", "attn_lif", "proj", "proj_bn",
                "proj_lif", "output"),
        ("num_heads",),
    ),
    ops.SpikeDrivenSelfAttentionOp.KIND: OpLayout(
        ops.SpikeDrivenSelfAttentionOp,
        _roles(*(row for n in "qkv" for row in _seed_projection(n)), ("kv_lif", "neuron"),
               *_seed_projection("proj", neuron=False)),
        _fan_in([(n, f"{n}_bn", f"{n}_lif") for n in "qkv"], "kv_lif", "proj", "proj_bn", "output"),
    ),
    # K = ReLU(BN(x W_k)) (NIR has no ReLU) and v_lif's ternary spikes are the kind's
    ops.AdditionOnlyAttentionOp.KIND: OpLayout(
        ops.AdditionOnlyAttentionOp,
        _roles(*_seed_projection("q"), *_seed_projection("k", neuron=False), *_seed_projection("v", neuron=False),
               ("v_lif", "neuron"), ("attn_lif", "neuron"), *_seed_projection("proj")),
        _fan_in([("q", "q_bn", "q_lif"), ("k", "k_bn"), ("v", "v_bn", "v_lif")], "attn_lif", "proj", "proj_bn",
                "proj_lif", "output"),
        ("num_heads",), {"k_activation": "relu", "v_neuron": "ternary"},
    ),
}


def _columns(op, part: int | None) -> slice:
    width = op.shape_in[0]
    return slice(None) if part is None else slice(part * width, (part + 1) * width)


def _encode_node(op, role: str, key: str | None, part: int | None):
    width, cols = op.shape_in[0], _columns(op, part)
    if role == "linear":
        return nir.Linear(weight=op.weights[key])
    if role == "affine":
        return nir.Affine(weight=op.weights[key], bias=op.biases[key])
    if role == "weight":
        return nir.Linear(weight=np.ascontiguousarray(np.asarray(op.weights[key][:, cols]).T))
    if role == "bn":
        return nir.Affine(weight=np.diag(op.bn_scales[key][cols]), bias=op.bn_shifts[key][cols])
    if role == "scale":
        return nir.Scale(scale=np.full(width, op.scale))
    if role == "neuron":
        return nir.LIF(tau=np.full(width, op.taus[key]), r=np.ones(width), v_leak=np.zeros(width),
                       v_threshold=np.full(width, op.thresholds[key]), v_reset=np.zeros(width))
    tau = op.taus[key]
    return nir.LIF(tau=tau, r=tau.copy(), v_leak=np.zeros_like(tau), v_threshold=op.thresholds[key],
                   v_reset=np.zeros_like(tau))


def _encode(op):
    layout = LAYOUTS[op.KIND]
    nodes = ends(op.shape_in[0], op.shape_in[0])
    nodes.update({name: _encode_node(op, role, key, part) for name, role, key, part in layout.nodes})
    meta = {key: getattr(op, key) for key in layout.hyper}
    return nodes, list(layout.edges), {**meta, **layout.constants}


def _diagonal(node, name: str) -> np.ndarray:
    """The diagonal of a diagonal Affine (a folded batch-norm)."""
    matrix = np.asarray(node.weight, np.float64)
    scale = np.diag(matrix).copy() if matrix.ndim == 2 else np.empty(0)
    if matrix.shape != (scale.size,) * 2 or np.any(matrix - np.diag(scale) != 0):
        raise ModelError(f"{name} must be a diagonal Affine (a folded batch-norm)")
    return scale


def _decode_node(node, name: str, role: str) -> dict:
    """``{op field: value}`` the node holds."""
    if role == "scale":
        return {"scale": single_value(node.scale, name)}
    if role == "neuron":
        return {"taus": single_value(node.tau, f"{name} tau"),
                "thresholds": single_value(node.v_threshold, f"{name} v_threshold")}
    if role == "lif":
        return {"taus": np.asarray(node.tau), "thresholds": np.asarray(node.v_threshold)}
    if role == "weight":
        return {"weights": np.ascontiguousarray(np.asarray(node.weight).T)}
    if role == "bn":
        return {"bn_scales": _diagonal(node, name), "bn_shifts": np.asarray(node.bias, np.float64)}
    found = {"weights": np.asarray(node.weight)}
    return {**found, "biases": np.asarray(node.bias)} if role == "affine" else found


def _joined(key: str, values: list):
    """One entry from the nodes that hold it: the blocks of a split projection side by side, the one
    tau or threshold of a shared neuron."""
    if len(values) == 1:
        return values[0]
    if isinstance(values[0], np.ndarray):
        return np.concatenate(values, axis=-1)
    if len(set(values)) != 1:
        raise ModelError(f"the nodes of {key} must share tau and v_threshold (the op has one {key} neuron)")
    return values[0]


def _decoder(kind: str):
    layout = LAYOUTS[kind]

    def decode(nodes, meta):
        for key, value in layout.constants.items():
            if meta.get(key) != value:
                raise ModelError(f"{kind} needs {key} {value!r} in its metadata")
        parts: dict[str, dict[str, list]] = {}
        hyper = {key: int(meta[key]) for key in layout.hyper}
        for name, role, key, _ in layout.nodes:
            for entry, value in _decode_node(nodes[name], name, role).items():
                if entry == "scale":
                    hyper["scale"] = value
                else:
                    parts.setdefault(entry, {}).setdefault(key, []).append(value)
        fields = {entry: {key: _joined(key, values) for key, values in table.items()} for entry, table in parts.items()}
        op = layout.op(**fields, **hyper)
        if isinstance(op, ops.SeedAttention):
            attention_variant(op)  # the layer's own checks of shapes and hyper-parameters
        return op

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


TABLE_CODECS = {
    **{kind: (_encode, _decoder(kind)) for kind in LAYOUTS},
    ops.TrainedPositionOp.KIND: (_encode_position, _decode_position),
}
"""kind -> (encode: op -> (nodes, edges, metadata), decode: (nodes, metadata) -> op)."""
