"""Block ops as NIR subgraphs of standard nodes, tagged in metadata, and back (exactly).

A block op (:mod:`sc_neurocore.ir.blocks`) becomes a ``nir.NIRGraph`` whose nodes carry its arrays
(Linear for projections, Affine ``diag(a), b`` for a folded batch-norm, LIF/IF for its neurons with
their taus and thresholds, Scale for diagonal terms) and whose metadata holds
``{"sc_neurocore_op": kind, "version": 1, ...hyper-parameters}``. Edges follow the dataflow as far as
standard nodes can (Q, K and V feed the attention neuron, which feeds the output projection), so a
plain ``nir.read`` type-checks and loads the file; only :func:`decode_block` knows the op's
semantics. Neurons of the transformer ops count time in steps (``dt = 1``, recorded as ``"dt"``).

The ops made of projections and neurons (the seed API's attention variants, the trained transformer's
ops) have one table-driven codec, :mod:`.nir_layer_ops`; the seed attention, the SSM, the CPG encoder
and the token readout have their own encoders here.
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

from .nir_parts import chain, ends, single_value
from .nir_layer_ops import TABLE_CODECS

__all__ = ["OP_KEY", "FORMAT_VERSION", "encode_block", "decode_block", "block_kind"]

OP_KEY = "sc_neurocore_op"
FORMAT_VERSION = 1


# --- standard-node helpers ---------------------------------------------------------------------

def _linear(weight_in_out: np.ndarray):
    """``y = x @ W`` (``W (in, out)``, the transformers' convention) as NIR's ``Linear (out, in)``."""
    return nir.Linear(weight=np.ascontiguousarray(np.asarray(weight_in_out).T))


def _weight(node) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(node.weight).T)


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
    ops.SpikyStateSpaceOp.KIND: (_encode_ssm, _decode_ssm),
    ops.CPGEncoderOp.KIND: (_encode_cpg, _decode_cpg),
    ops.TokenReadoutOp.KIND: (_encode_readout, _decode_readout),
    **TABLE_CODECS,
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
