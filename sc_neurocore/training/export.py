"""Export trained models as NIR: the ``SpikingMLPClassifier`` as ``Input -> Affine -> LIF ... -> Output``, the
``SpikingTransformer`` as a token-level graph with our extension ops (see :func:`transformer_graph`).

The model's step ``u = (1 - k) v + W x + b`` equals NIR's Euler step at time step ``dt``,
``v += dt/tau (v_leak - v + r I)``, when ``tau = dt / k``, ``r = tau / dt`` and ``v_leak = 0``
(IF layers, ``k = 0``: ``v += dt r I`` with ``r = 1 / dt``). ``dt`` is recorded in the metadata,
since NIR stores no time step. In quantisation-aware mode the exported weights, thresholds and
leaks are the rounded values the hardware uses.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sc_neurocore.atomic import atomic_write
from sc_neurocore.errors import InputError, ModelError, UnsupportedError
from sc_neurocore.export import nir_writer
from sc_neurocore.frontend import read_nir
from sc_neurocore.ir import Graph
from sc_neurocore.ir import blocks
from sc_neurocore.ir import nodes as ir

from .block_ops import (attention_module, attention_op, lif_arrays, position_module, position_op, restore_thresholds,
                        shared_tau)
from .modules.mlp import SpikingMLPClassifier
from .modules.neurons import TrainableLIF
from .modules.transformer import SpikingTransformer

__all__ = ["mlp_to_nir", "write_nir", "TRANSFORMER_TAG", "transformer_graph", "write_transformer_nir",
           "transformer_from_graph", "read_transformer"]

TRANSFORMER_TAG = "spiking_transformer"

# the model's attention kind -> its block op (files without an "attention" entry hold SSA)
ATTENTION_OPS = {"ssa": blocks.TrainedAttentionOp, "sdsa": blocks.TrainedChannelAttentionOp,
                 "a2os2a": blocks.TrainedAdditionAttentionOp}


def mlp_to_nir(model: SpikingMLPClassifier, metadata: dict | None = None):
    """The NIR graph of ``model`` (float64 arrays); ``metadata`` is added to the graph's."""
    import nir

    dt = float(model.dt)
    nodes = {"input": nir.Input({"input": np.array([model.sizes[0]])})}
    edges, previous = [], "input"
    for i, (linear, neuron) in enumerate(zip(model.linears, model.neurons)):
        w, b = linear.effective()
        bias = np.zeros(w.shape[0]) if b is None else b.astype(np.float64)
        nodes[f"fc{i}"] = nir.Affine(w.astype(np.float64), bias)
        k = neuron.leak().astype(np.float64)
        neuron.state_step = 2.0**-linear.frac_bits
        if isinstance(neuron, TrainableLIF):
            theta = neuron.theta().astype(np.float64)
            if np.all(k == 0):
                node = nir.IF(r=np.full_like(k, 1 / dt), v_threshold=theta, v_reset=np.zeros_like(k))
            else:
                tau = dt / k
                node = nir.LIF(tau=tau, r=tau / dt, v_leak=np.zeros_like(k), v_threshold=theta,
                               v_reset=np.zeros_like(k))
            name = f"lif{i}"
        else:
            tau = dt / k
            node, name = nir.LI(tau=tau, r=tau / dt, v_leak=np.zeros_like(k)), f"li{i}"
        nodes[name] = node
        edges += [(previous, f"fc{i}"), (f"fc{i}", name)]
        previous = name
    nodes["output"] = nir.Output({"output": np.array([model.sizes[-1]])})
    edges.append((previous, "output"))
    meta = {"dt": dt, "producer": "sc-neurocore train", "readout": model.readout}
    meta.update(metadata or {})
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata=meta)


def write_nir(model: SpikingMLPClassifier, path: Path, metadata: dict | None = None) -> Path:
    """Write the NIR file atomically (temporary file in the same folder, then rename)."""
    import nir

    graph = mlp_to_nir(model, metadata)
    return atomic_write(Path(path), lambda temporary: nir.write(temporary, graph))


def _lif_node(lif) -> ir.LIF:
    return ir.LIF(**lif_arrays(lif))


def _affine_node(linear) -> ir.Affine:
    weight, bias = linear.effective()
    bias = np.zeros(weight.shape[0]) if bias is None else bias
    return ir.Affine(weight=weight.astype(np.float64), bias=bias.astype(np.float64))


def transformer_graph(model: SpikingTransformer, metadata: dict | None = None) -> Graph:
    """The IR graph of a trained :class:`SpikingTransformer`, one token wide (features on the last axis)::

        input (P) -> embed (Affine) -> position (trained_position op) -> embed_lif (LIF)
        per block b:  b_attention (trained_ssa op) + skip -> b_add1 (Scale 1: the residual sum)
                      b_fc1 (Affine) -> b_lif1 -> b_fc2 (Affine) -> b_lif2, + b_add1 -> b_add2 (Scale 1)
        -> readout (token_readout op: time mean, tokens concatenated, head Affine) -> output (classes)

    Fan-in is summed (a residual is two edges into a Scale of ones). Neurons are NIR LIFs at dt = 1
    (``tau = 1 / k``, ``r = tau``, reset to 0, spike on ``v > theta``), as in :func:`mlp_to_nir`.
    Arrays are the float32 parameters, stored exactly. The attention op follows the model's kind
    (``trained_ssa``, ``trained_sdsa`` or ``trained_a2os2a``), recorded as metadata ``"attention"``.
    """
    dim = model.embed.weight.value.shape[0]
    nodes = {"input": ir.Input((model.token_dim,)), "embed": _affine_node(model.embed),
             "position": position_op(model.position), "embed_lif": _lif_node(model.embed_lif)}
    edges = _chain("input", "embed", "position", "embed_lif")
    previous = "embed_lif"
    for i, block in enumerate(model.blocks):
        b = f"block{i}_"
        nodes.update({
            f"{b}attention": attention_op(block.attention), f"{b}add1": ir.Scale(np.ones(dim)),
            f"{b}fc1": _affine_node(block.fc1), f"{b}lif1": _lif_node(block.lif1),
            f"{b}fc2": _affine_node(block.fc2), f"{b}lif2": _lif_node(block.lif2), f"{b}add2": ir.Scale(np.ones(dim)),
        })
        edges += [(previous, f"{b}attention"), (previous, f"{b}add1"), (f"{b}attention", f"{b}add1"),
                  (f"{b}add1", f"{b}add2")]
        edges += _chain(f"{b}add1", f"{b}fc1", f"{b}lif1", f"{b}fc2", f"{b}lif2", f"{b}add2")
        previous = f"{b}add2"
    weight, bias = model.head.effective()
    nodes["readout"] = blocks.TokenReadoutOp(weight.copy(), bias.copy(), model.n_tokens)
    nodes["output"] = ir.Output((weight.shape[0],))
    edges += _chain(previous, "readout", "output")
    meta = {"sc_neurocore_model": TRANSFORMER_TAG, "dt": 1.0, "producer": "sc-neurocore train",
            "tokens": model.n_tokens, "attention": model.attention_kind, "input_layout": "(T, B, tokens, token_dim)",
            **(metadata or {})}
    return Graph(nodes, edges, meta).validate()


def _chain(*names: str) -> list[tuple[str, str]]:
    return list(zip(names[:-1], names[1:]))


def write_transformer_nir(model: SpikingTransformer, path: Path, metadata: dict | None = None) -> Path:
    """Write :func:`transformer_graph` as a NIR file (atomically; replaces an existing file)."""
    return nir_writer.write_nir(transformer_graph(model, metadata), path, dt=1.0, force=True)


def _set_linear(linear, node: ir.Affine) -> None:
    state = {"weight": node.weight}
    if linear.bias is not None:
        state["bias"] = node.bias
    linear.load_state_dict(state)


def transformer_from_graph(graph: Graph) -> SpikingTransformer:
    """The :class:`SpikingTransformer` of a :func:`transformer_graph` (read back with ``read_nir``):
    the same float32 parameters, hence the same logits bit for bit."""
    if graph.metadata.get("sc_neurocore_model") != TRANSFORMER_TAG:
        raise InputError("the graph is not a spiking transformer written by sc-neurocore train")
    n = graph.nodes
    try:
        depth = sum(1 for name in n if name.endswith("_attention"))
        kind = _attention_kind(graph, depth)
        readout, embed, first = n["readout"], n["embed"], n["block0_attention"]
        lifs = {name: node for name, node in n.items() if isinstance(node, ir.LIF)}
        tau = shared_tau({name: node.tau for name, node in lifs.items()})
        dim, hidden = embed.weight.shape[0], n["block0_fc1"].weight.shape[0]
        model = SpikingTransformer(readout.tokens, embed.weight.shape[1], readout.weight.shape[0], dim=dim,
                                   heads=getattr(first, "num_heads", 1), depth=depth, mlp_ratio=hidden // dim,
                                   tau=tau, attn_scale=getattr(first, "scale", 0.125), learn_threshold=True,
                                   attention=kind)
        _set_linear(model.embed, embed)
        model.position = position_module(n["position"])
        restore_thresholds(model.embed_lif, n["embed_lif"].v_threshold, "embed_lif")
        for i, block in enumerate(model.blocks):
            b = f"block{i}_"
            block.attention = attention_module(n[f"{b}attention"], f"{b}attention")
            _set_linear(block.fc1, n[f"{b}fc1"])
            _set_linear(block.fc2, n[f"{b}fc2"])
            restore_thresholds(block.lif1, n[f"{b}lif1"].v_threshold, f"{b}lif1")
            restore_thresholds(block.lif2, n[f"{b}lif2"].v_threshold, f"{b}lif2")
        model.head.load_state_dict({"weight": readout.weight, "bias": readout.bias})
    except KeyError as error:
        raise ModelError(f"spiking transformer graph: missing node {error}") from None
    return model


def _attention_kind(graph: Graph, depth: int) -> str:
    """The attention kind in the metadata, checked against every block's op."""
    kind = str(graph.metadata.get("attention", "ssa"))
    if kind not in ATTENTION_OPS:
        raise UnsupportedError(f"spiking transformer graph: attention '{kind}' is not one of "
                               f"{', '.join(ATTENTION_OPS)}")
    for i in range(depth):
        node = graph.nodes[f"block{i}_attention"]
        if type(node) is not ATTENTION_OPS[kind]:
            found = getattr(node, "KIND", type(node).__name__)
            raise ModelError(f"spiking transformer graph: block{i}_attention is {found}, but the metadata "
                             f"says attention '{kind}' ({ATTENTION_OPS[kind].KIND})")
    return kind


def read_transformer(path) -> SpikingTransformer:
    """Load a trained spiking transformer from the NIR file ``sc-neurocore train`` wrote."""
    graph = read_nir(path)
    try:
        return transformer_from_graph(graph)
    except InputError as error:
        raise type(error)(f"{path}: {error}") from None
