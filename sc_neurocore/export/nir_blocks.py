"""Block ops as NIR subgraphs of standard nodes, tagged in metadata, and back (exactly).

A block op (:mod:`sc_neurocore.ir.blocks`) becomes a ``nir.NIRGraph`` whose nodes carry its arrays
(Linear for projections, Affine ``diag(a), b`` for a folded batch-norm, LIF/IF for its neurons with
their taus and thresholds, Scale for diagonal terms) and whose metadata holds
``{"sc_neurocore_op": kind, "version": 1, ...hyper-parameters}``. Edges follow the dataflow as far as
standard nodes can (Q, K and V feed the attention neuron, which feeds the output projection), so a
plain ``nir.read`` type-checks and loads the file; only :func:`decode_block` knows the op's
semantics. Neurons of the transformer ops count time in steps (``dt = 1``, recorded as ``"dt"``).

Batch-norm is stored folded, as the op computes it (``a = gamma / sqrt(var + eps)``,
``b = beta - mean a``): the decoder restores ``BatchNorm(gamma=a, beta=b, mean=0, var=1, eps=0)``,
whose fold gives the same ``a`` and ``b`` bit for bit, hence the same forward pass.
"""

from __future__ import annotations

import nir
import numpy as np

from sc_neurocore.errors import InputError, ModelError, UnsupportedError
from sc_neurocore.limits import limit
from sc_neurocore.ir import blocks as ops
from sc_neurocore.transformers.cpg import CPGPositionalEncoding, cpg_encoder_op
from sc_neurocore.transformers.spikformer import spike_driven_attention
from sc_neurocore.transformers.ssm import spiky_state_space
from sc_neurocore.transformers.variant_ops import attention_variant

from .nir_parts import chain, ends, single_value
from .nir_trained_ops import TRAINED_CODECS

__all__ = ["OP_KEY", "FORMAT_VERSION", "encode_block", "decode_block", "block_kind"]

OP_KEY = "sc_neurocore_op"
FORMAT_VERSION = 1


# --- standard-node helpers ---------------------------------------------------------------------

def _linear(weight_in_out: np.ndarray):
    """``y = x @ W`` (``W (in, out)``, the transformers' convention) as NIR's ``Linear (out, in)``."""
    return nir.Linear(weight=np.ascontiguousarray(np.asarray(weight_in_out).T))


def _bn_linear_nodes(op: ops.SeedAttention, prefix: str, part: slice = slice(None)) -> dict:
    """Projection ``prefix`` (its output channels ``part``): its weight, then its folded batch-norm as
    ``Affine(diag(a), b)``."""
    return {prefix: _linear(op.weights[prefix][:, part]),
            f"{prefix}_bn": nir.Affine(weight=np.diag(op.bn_scales[prefix][part]), bias=op.bn_shifts[prefix][part])}


def _lif(size: int, tau: float, v_threshold: float):
    """SpikingJelly's ``h = v + (x - v) / tau`` is NIR's LIF Euler step at dt = 1 with r = 1."""
    return nir.LIF(tau=np.full(size, tau), r=np.ones(size), v_leak=np.zeros(size),
                   v_threshold=np.full(size, v_threshold), v_reset=np.zeros(size))


def _neuron_node(op: ops.SeedAttention, neuron: str):
    return _lif(op.shape_in[0], op.taus[neuron], op.thresholds[neuron])


def _spiking_linear_nodes(op: ops.SeedAttention, prefix: str) -> dict:
    return {**_bn_linear_nodes(op, prefix), f"{prefix}_lif": _neuron_node(op, prefix)}


def _weight(node) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(node.weight).T)


def _diagonal(node, what: str) -> np.ndarray:
    """The diagonal ``a`` of a diagonal Affine (a folded batch-norm)."""
    matrix = np.asarray(node.weight, np.float64)
    scale = np.diag(matrix).copy() if matrix.ndim == 2 else np.empty(0)
    if matrix.shape != (scale.size,) * 2 or np.any(matrix - np.diag(scale) != 0):
        raise ModelError(f"{what}_bn must be a diagonal Affine")
    return scale


def _projections(nodes: dict, names) -> tuple[dict, dict, dict]:
    """``(weights, bn_scales, bn_shifts)`` of the projections ``names`` (node ``name`` and ``name_bn``)."""
    weights = {name: _weight(nodes[name]) for name in names}
    scales = {name: _diagonal(nodes[f"{name}_bn"], name) for name in names}
    shifts = {name: np.asarray(nodes[f"{name}_bn"].bias, np.float64) for name in names}
    return weights, scales, shifts


def _neurons(nodes: dict, names) -> tuple[dict, dict]:
    """``(taus, thresholds)`` of the LIF nodes ``name_lif``, one value each."""
    return ({name: single_value(nodes[f"{name}_lif"].tau, f"{name}_lif tau") for name in names},
            {name: single_value(nodes[f"{name}_lif"].v_threshold, f"{name}_lif v_threshold") for name in names})


def _checked(op: ops.SeedAttention) -> ops.SeedAttention:
    attention_variant(op)  # the layer's own checks of shapes and hyper-parameters
    return op


# --- the seed ops ----------------------------------------------------------------------------------

def _encode_seed_attention(op: ops.SpikeDrivenAttentionOp):
    d = op.shape_in[0]
    nodes = ends(d, d)
    for name, weight in (("q", op.W_q), ("k", op.W_k), ("v", op.W_v)):
        nodes[name] = _linear(weight)
        # IF fed drive / T for T steps, reset by subtraction
        nodes[f"{name}_if"] = nir.IF(r=np.full(d, 1.0 / op.T), v_threshold=np.full(d, op.threshold),
                                     v_reset=np.zeros(d))
    nodes["out"] = _linear(op.W_out)
    edges = [e for name in "qkv" for e in chain("input", name, f"{name}_if", "out")] + [("out", "output")]
    return nodes, edges, {"num_heads": op.num_heads, "T": op.T, "seed": op.seed, "reset": "subtract"}


def _decode_seed_attention(nodes, meta):
    weights = [_weight(nodes[name]) for name in ("q", "k", "v", "out")]
    threshold = single_value(nodes["q_if"].v_threshold, "q_if v_threshold")
    op = ops.SpikeDrivenAttentionOp(*weights, int(meta["num_heads"]), int(meta["T"]), threshold, int(meta["seed"]))
    spike_driven_attention(op)  # the layer's own checks of shapes and hyper-parameters
    return op


def _encode_ssa(op: ops.SpikformerSSAOp):
    d = op.shape_in[0]
    nodes = ends(d, d)
    for i, name in enumerate("qkv"):  # the qkv projection's output channels are [q | k | v]
        part = _bn_linear_nodes(op, "qkv", slice(i * d, (i + 1) * d))
        nodes[name], nodes[f"{name}_bn"] = part["qkv"], part["qkv_bn"]
        nodes[f"{name}_lif"] = _neuron_node(op, "qkv")
    nodes["attn_scale"] = nir.Scale(scale=np.full(d, op.scale))
    nodes["attn_lif"] = _neuron_node(op, "attn")
    nodes.update(_spiking_linear_nodes(op, "proj"))
    edges = [e for name in "qkv" for e in chain("input", name, f"{name}_bn", f"{name}_lif", "attn_scale")]
    edges += chain("attn_scale", "attn_lif", "proj", "proj_bn", "proj_lif", "output")
    return nodes, edges, {"num_heads": op.num_heads}


def _decode_ssa(nodes, meta):
    # one qkv projection: its weight columns and batch-norm channels are the [q | k | v] blocks
    parts = _projections(nodes, ("q", "k", "v", "proj"))
    weights, scales, shifts = ({"qkv": np.concatenate([got[n] for n in "qkv"], axis=-1), "proj": got["proj"]}
                               for got in parts)
    taus, thresholds = _neurons(nodes, ("q", "k", "v", "attn", "proj"))
    if len({taus[n] for n in "qkv"}) != 1 or len({thresholds[n] for n in "qkv"}) != 1:
        raise ModelError("q_lif, k_lif and v_lif must share tau and v_threshold (one qkv layer)")
    for table in (taus, thresholds):
        table["qkv"] = table.pop("q")
        del table["k"], table["v"]
    scale = single_value(nodes["attn_scale"].scale, "attn_scale")
    return _checked(ops.SpikformerSSAOp(weights, scales, shifts, taus, thresholds, int(meta["num_heads"]), scale))


def _encode_sdsa(op: ops.SpikeDrivenSelfAttentionOp):
    d = op.shape_in[0]
    nodes = ends(d, d)
    for name in "qkv":
        nodes.update(_spiking_linear_nodes(op, name))
    nodes["kv_lif"] = _neuron_node(op, "kv")
    nodes.update(_bn_linear_nodes(op, "proj"))
    edges = [e for name in "qkv" for e in chain("input", name, f"{name}_bn", f"{name}_lif", "kv_lif")]
    edges += chain("kv_lif", "proj", "proj_bn", "output")
    return nodes, edges, {}


def _decode_sdsa(nodes, meta):
    parts = _projections(nodes, ("q", "k", "v", "proj"))
    return _checked(ops.SpikeDrivenSelfAttentionOp(*parts, *_neurons(nodes, ("q", "k", "v", "kv"))))


def _encode_a2os2a(op: ops.AdditionOnlyAttentionOp):
    d = op.shape_in[0]
    nodes = ends(d, d)
    nodes.update(_spiking_linear_nodes(op, "q"))
    nodes.update(_bn_linear_nodes(op, "k"))  # K = ReLU(BN(x W_k)): NIR has no ReLU, the kind implies it
    nodes.update(_bn_linear_nodes(op, "v"))
    nodes["v_lif"] = _neuron_node(op, "v")  # ternary: fires -1 at h <= -v_th too
    nodes["attn_lif"] = _neuron_node(op, "attn")
    nodes.update(_spiking_linear_nodes(op, "proj"))
    edges = chain("input", "q", "q_bn", "q_lif", "attn_lif") + chain("input", "k", "k_bn", "attn_lif")
    edges += chain("input", "v", "v_bn", "v_lif", "attn_lif")
    edges += chain("attn_lif", "proj", "proj_bn", "proj_lif", "output")
    return nodes, edges, {"num_heads": op.num_heads, "k_activation": "relu", "v_neuron": "ternary"}


def _decode_a2os2a(nodes, meta):
    parts = _projections(nodes, ("q", "k", "v", "proj"))
    neurons = _neurons(nodes, ("q", "v", "attn", "proj"))
    return _checked(ops.AdditionOnlyAttentionOp(*parts, *neurons, int(meta["num_heads"])))


def _encode_ssm(op: ops.SpikyStateSpaceOp):
    d_model = op.shape_in[0]
    nodes = ends(d_model, d_model)
    nodes["B"] = nir.Linear(weight=np.asarray(op.B))  # (d_state, d_model): already NIR's (out, in)
    nodes["A"] = nir.Scale(scale=np.asarray(op.A))  # continuous diagonal h' = A h + B x (complex for S4D-Lin)
    nodes["C"] = nir.Linear(weight=np.asarray(op.C))
    nodes["gate"] = nir.IF(r=np.ones(d_model), v_threshold=np.full(d_model, op.threshold),
                           v_reset=np.zeros(d_model))
    edges = chain("input", "B", "A", "C", "gate", "output")
    return nodes, edges, {"dt": float(op.dt), "init": op.init, "seed": int(op.seed), "discretisation": "zoh",
                          "reset": "subtract"}


def _decode_ssm(nodes, meta):
    a, b, c = (np.asarray(nodes[name].scale if name == "A" else nodes[name].weight).copy() for name in "ABC")
    threshold = single_value(nodes["gate"].v_threshold, "gate v_threshold")
    op = ops.SpikyStateSpaceOp(a, b, c, threshold, float(meta["dt"]), str(meta["init"]), int(meta["seed"]))
    spiky_state_space(op)  # the layer's own checks of shapes and hyper-parameters
    return op


_CPG_FIELDS = ("max_len", "mode", "oscillators", "coupling", "burn_in", "seed")


def _add_code_nodes(width: int) -> tuple[dict, list]:
    """``y = x + code[token]``: an identity Affine stands for the addition (the code is per token,
    which no standard node can index; it travels in the metadata)."""
    nodes = ends(width, width)
    nodes["add_code"] = nir.Affine(weight=np.eye(width), bias=np.zeros(width))
    return nodes, chain("input", "add_code", "output")


def _encode_cpg(op: ops.CPGEncoderOp):
    nodes, edges = _add_code_nodes(op.d_model)
    meta = {name: getattr(op, name) for name in _CPG_FIELDS}
    meta["table"] = op.code  # what the op adds, for readers without our code
    return nodes, edges, meta


def _decode_cpg(nodes, meta):
    width = np.asarray(nodes["add_code"].weight).shape[0]
    encoder = CPGPositionalEncoding(
        width, int(meta["max_len"]), str(meta["mode"]), int(meta["oscillators"]), float(meta["coupling"]),
        int(meta["burn_in"]), int(meta["seed"]),
    )
    if not np.array_equal(encoder.encode(encoder.max_len), np.asarray(meta["table"])):
        raise ModelError("the stored position table differs from the one its parameters give "
                         "(written by a different CPG implementation)")
    return cpg_encoder_op(encoder)


# --- the trained transformer's readout -----------------------------------------------------------

def _encode_readout(block: ops.TokenReadoutOp):
    classes, tokens = block.weight.shape[0], block.tokens
    width = block.weight.shape[1] // tokens
    # rows l*classes .. (l+1)*classes - 1 are token l's share of the head: input stays one token wide
    per_token = block.weight.reshape(classes, tokens, width).transpose(1, 0, 2).reshape(tokens * classes, width)
    nodes = ends(width, classes)
    nodes["head"] = nir.Linear(weight=np.ascontiguousarray(per_token))
    nodes["sum_tokens"] = nir.Affine(weight=np.tile(np.eye(classes, dtype=block.weight.dtype), tokens),
                                     bias=np.asarray(block.bias))
    return nodes, chain("input", "head", "sum_tokens", "output"), {"tokens": tokens, "readout": "mean over time steps"}


def _decode_readout(nodes, meta):
    tokens = int(meta["tokens"])
    per_token = np.asarray(nodes["head"].weight)
    rows, width = per_token.shape
    if rows % tokens:
        raise ModelError(f"head has {rows} rows, not a multiple of {tokens} tokens")
    classes = rows // tokens
    weight = per_token.reshape(tokens, classes, width).transpose(1, 0, 2).reshape(classes, tokens * width)
    return ops.TokenReadoutOp(np.ascontiguousarray(weight), np.asarray(nodes["sum_tokens"].bias).copy(), tokens)


_CODECS = {
    ops.SpikeDrivenAttentionOp.KIND: (_encode_seed_attention, _decode_seed_attention),
    ops.SpikformerSSAOp.KIND: (_encode_ssa, _decode_ssa),
    ops.SpikeDrivenSelfAttentionOp.KIND: (_encode_sdsa, _decode_sdsa),
    ops.AdditionOnlyAttentionOp.KIND: (_encode_a2os2a, _decode_a2os2a),
    ops.SpikyStateSpaceOp.KIND: (_encode_ssm, _decode_ssm),
    ops.CPGEncoderOp.KIND: (_encode_cpg, _decode_cpg),
    ops.TokenReadoutOp.KIND: (_encode_readout, _decode_readout),
    **TRAINED_CODECS,
}


def encode_block(block: ops.BlockOp):
    """The tagged ``nir.NIRGraph`` of a block op."""
    nodes, edges, hyper = _CODECS[block.KIND][0](block)
    metadata = {OP_KEY: block.KIND, "version": FORMAT_VERSION, **hyper}
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata=metadata, type_check=False)


def block_kind(nir_graph) -> str | None:
    """The op kind a NIR subgraph is tagged with, or None for a plain subgraph."""
    kind = (getattr(nir_graph, "metadata", None) or {}).get(OP_KEY)
    return None if kind is None else str(kind)


def decode_block(nir_graph, name: str = "block") -> ops.BlockOp:
    """The block op of a tagged subgraph; a ModelError names the node and kind if it is malformed."""
    kind = block_kind(nir_graph)
    meta = nir_graph.metadata
    if kind not in _CODECS:
        raise UnsupportedError(f"node {name!r} is tagged as op {kind!r}, which sc-neurocore does not know; "
                               f"known: {', '.join(_CODECS)}")
    version = int(meta.get("version", 0))
    if version != FORMAT_VERSION:
        raise UnsupportedError(f"node {name!r} ({kind}) uses encoding version {version}; "
                               f"this reader reads {FORMAT_VERSION}")
    _check_scalars(name, kind, meta)
    try:
        return _CODECS[kind][1](nir_graph.nodes, meta)
    except KeyError as error:
        raise ModelError(f"node {name!r} ({kind}): missing node or metadata key {error}") from None
    except InputError as error:  # the ops' own checks of their hyper-parameters: a malformed model
        cls = type(error) if isinstance(error, (ModelError, UnsupportedError)) else ModelError
        raise cls(f"node {name!r} ({kind}): {error}") from None
    except (ValueError, TypeError, AttributeError, IndexError, ArithmeticError) as error:
        raise ModelError(f"node {name!r} ({kind}): malformed parameters ({error})") from None


def _check_scalars(name: str, kind: str, meta: dict) -> None:
    """Every numeric hyper-parameter finite and within the size limit, before any op is built from it
    (a `burn_in` or `T` of 1e300 would loop or allocate without bound)."""
    bound = limit("dim")
    for key, value in meta.items():
        if isinstance(value, (bool, str, bytes, dict)) or np.ndim(value) != 0:
            continue
        try:
            number = complex(value)
        except (TypeError, ValueError):
            continue
        if not (np.isfinite(number.real) and np.isfinite(number.imag)) or abs(number) > bound:
            raise ModelError(f"node {name!r} ({kind}): metadata {key!r} = {value!r} is not a finite number of "
                             f"magnitude up to {bound} (SC_NEUROCORE_MAX_DIM)")
