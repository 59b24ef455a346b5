"""The one registry of hardware cores, and how a user's input (a network, a YAML spec, a NIR block graph)
becomes one.

Every core's `kind` is the block's name in every file format: a YAML spec's ``block:``, a build
manifest's ``block`` (or ``core`` for the network cores). Adding a block kind is a folder under
`backends/cores/` and one line in `CORES` (see docs/architecture.md).
"""

from __future__ import annotations

from sc_neurocore.backends.cores.attention.core import AttentionCore
from sc_neurocore.backends.cores.conv.core import ConvCore
from sc_neurocore.backends.cores.core import Core
from sc_neurocore.backends.cores.cpg.core import CpgCore
from sc_neurocore.backends.cores.kv_attention.core import A2os2aCore, SdsaCore, SsaCore
from sc_neurocore.backends.cores.mac_baseline.core import MacBaselineCore
from sc_neurocore.backends.cores.network.core import NetworkCore
from sc_neurocore.backends.cores.sc.core import ScCore
from sc_neurocore.backends.cores.settings import BlockSettings
from sc_neurocore.backends.cores.ssm.core import SsmCore
from sc_neurocore.backends.cores.transformer.core import TransformerCore
from sc_neurocore.errors import InputError, UnsupportedError
from sc_neurocore.ir import blocks as ops
from sc_neurocore.ir import nodes as ir

__all__ = ["CORES", "core_class", "core_for_network", "core_for_spec", "core_for_graph", "single_block_op",
           "REFUSED_OPS"]

# kind -> core class. Network cores are picked by core_for_network, spec cores by their spec's `block`,
# block-op cores by the op kinds they list in `op_kinds`, model cores by the graph's `sc_neurocore_model`.
CORES: tuple[type[Core], ...] = (
    ConvCore,
    ScCore,
    NetworkCore,
    SsmCore,
    CpgCore,
    TransformerCore,
    AttentionCore,
    SsaCore,
    SdsaCore,
    A2os2aCore,
    MacBaselineCore,
)

_YAML = "deploy its YAML spec (docs/attention_hw.md)"
_TRAINED = "it is part of the trained spiking transformer, deployed as a whole"
# NIR op kinds with no hardware of their own from a NIR file, and what to do instead
REFUSED_OPS = {
    ops.SpikformerSSAOp.KIND: _YAML,
    ops.SpikeDrivenSelfAttentionOp.KIND: _YAML,
    ops.AdditionOnlyAttentionOp.KIND: _YAML,
    ops.TrainedAttentionOp.KIND: _TRAINED,
    ops.TrainedChannelAttentionOp.KIND: _TRAINED,
    ops.TrainedAdditionAttentionOp.KIND: _TRAINED,
    ops.TrainedPositionOp.KIND: _TRAINED,
    ops.TokenReadoutOp.KIND: _TRAINED,
}


def core_class(kind: str) -> type[Core]:
    """The core class registered under `kind`."""
    for core in CORES:
        if core.kind == kind:
            return core
    raise UnsupportedError(f"no hardware core {kind!r}; known: {', '.join(core.kind for core in CORES)}")


def core_for_network(qnet, sc=None) -> Core:
    """The core of a quantised neuron network: the convolution core when a projection is a convolution or
    pooling chain, the stochastic-computing core with `sc` (``--arith sc``), else snn_core."""
    for core in CORES:
        if core.builds_network(qnet, sc):
            return core.from_network(qnet, sc)
    raise UnsupportedError("no network core builds this network")


def core_for_spec(spec) -> Core:
    """The core of a YAML block spec (its `block` names the kind)."""
    return core_class(spec.block).from_spec(spec)


def single_block_op(graph) -> tuple[str, ops.BlockOp]:
    """``(name, op)`` of a graph that is exactly input -> op -> output; UnsupportedError naming the
    ops (or the extra nodes) otherwise."""
    blocks = graph.of_type(ops.BlockOp)
    if len(blocks) != 1:
        listed = ", ".join(f"{name} ({graph.nodes[name].KIND})" for name in blocks)
        raise UnsupportedError(f"the graph holds {len(blocks)} block ops ({listed}); compile and deploy build one "
                               f"op per file: write each op to its own NIR file")
    (name,) = blocks
    others = [n for n, node in graph.nodes.items() if n != name and not isinstance(node, (ir.Input, ir.Output))]
    if others:
        listed = ", ".join(f"{n} ({type(graph.nodes[n]).__name__})" for n in others)
        raise UnsupportedError(f"nodes {listed} sit outside block op {name!r}; block hardware is built for "
                               f"a graph that is input -> op -> output")
    return name, graph.nodes[name]


def core_for_graph(graph, settings: BlockSettings = BlockSettings()) -> tuple[str, Core]:
    """``(node name, core)`` of a block graph, built from its op's own parameters (a model of several ops,
    such as train's transformer, from the whole graph)."""
    model = graph.metadata.get("sc_neurocore_model")
    for core in CORES:
        if model is not None and core.model_kind == model:
            return "model", core.from_graph(graph, settings)
    name, block = single_block_op(graph)
    if block.KIND in REFUSED_OPS:
        raise UnsupportedError(f"node {name!r}: hardware for {block.KIND} from a NIR file is not wired yet; "
                               f"{REFUSED_OPS[block.KIND]}")
    for core in CORES:
        if block.KIND in core.op_kinds:
            return name, core.from_op(name, block, settings)
    raise InputError(f"node {name!r}: no hardware core builds {block.KIND}")
