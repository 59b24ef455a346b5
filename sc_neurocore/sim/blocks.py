"""Graphs that hold block ops (attention, SSM, CPG; :mod:`sc_neurocore.ir.blocks`).

They do not lower to the neuron network: they run node by node, each op through its float forward
(:func:`sc_neurocore.sim.block_forward.block_forward`),
or through the forward its caller gives for it (a trained op runs as the training module rebuilt from it:
:func:`sc_neurocore.training.simulation.simulate_trained_ops`).
"""

from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

from sc_neurocore.errors import InputError, UnsupportedError
from sc_neurocore.ir import nodes as ir
from sc_neurocore.ir.blocks import BlockOp
from sc_neurocore.sim.block_forward import block_forward
from sc_neurocore.sim.executor import SimulationResult
from sc_neurocore.sim.summary import PopulationActivity, SimulationSummary
from sc_neurocore.transformers.ops import is_spike_tensor
from sc_neurocore.limits import check_count, check_elements, load_array

__all__ = [
    "BlockGraphExecutor", "block_graph_executor", "run_block_graph", "block_input", "load_block_input",
    "simulate_block_graph", "is_trained_transformer",
]

BLOCK_TOKENS = 16  # tokens of the generated input when no --input is given


def _execution_order(graph) -> list[str]:
    indegree = {name: 0 for name in graph.nodes}
    for _, dst in graph.edges:
        indegree[dst] += 1
    ready = [name for name, count in indegree.items() if count == 0]
    order = []
    while ready:
        name = ready.pop(0)
        order.append(name)
        for dst in graph.successors(name):
            indegree[dst] -= 1
            if indegree[dst] == 0:
                ready.append(dst)
    if len(order) != len(graph.nodes):
        raise UnsupportedError("a graph with block ops must be acyclic: block ops carry no state across calls")
    return order


def _node_forward(name: str, node) -> Callable[[np.ndarray], np.ndarray]:
    if isinstance(node, BlockOp):
        return block_forward(node)
    if isinstance(node, (ir.Input, ir.Output)):
        return lambda x: x
    if isinstance(node, ir.Affine):
        return lambda x: x @ node.weight.T + node.bias
    if isinstance(node, ir.Linear):
        return lambda x: x @ node.weight.T
    if isinstance(node, ir.Scale):
        return lambda x: x * node.scale
    raise UnsupportedError(
        f"node {name!r} ({type(node).__name__}) cannot run in a graph of block ops: only block ops and "
        f"Affine/Linear/Scale are supported there"
    )


def _structure(graph) -> tuple:
    """What a graph's executor is built from: its nodes (by identity) and edges."""
    return tuple((name, id(node)) for name, node in graph.nodes.items()), tuple(graph.edges)


class BlockGraphExecutor:
    """A graph of block ops ready to run: its order, and each node's forward built once, at its first run
    (a seed-API op's model too, so repeated runs reuse the model and its working arrays). An op is data:
    to change one, replace the node (:func:`block_graph_executor` then builds a new executor)."""

    def __init__(self, graph, forwards: Mapping[str, Callable] | None = None):
        self.structure = _structure(graph)
        self._nodes = dict(graph.nodes)  # held, so that the identities in `structure` stay unique
        self._order = _execution_order(graph)
        self._sources = {name: graph.predecessors(name) for name in self._order}
        self._forwards = dict(forwards or {})

    def _forward(self, name: str) -> Callable[[np.ndarray], np.ndarray]:
        if name not in self._forwards:
            self._forwards[name] = _node_forward(name, self._nodes[name])
        return self._forwards[name]

    def run(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """Every node's output for input ``x`` (see :func:`run_block_graph`)."""
        outputs: dict[str, np.ndarray] = {}
        for name in self._order:
            sources = self._sources[name]
            if isinstance(self._nodes[name], ir.Input):
                value = np.asarray(x)
            elif not sources:
                raise UnsupportedError(f"node {name!r} has no input")
            else:
                value = sum(outputs[s] for s in sources)
            outputs[name] = self._forward(name)(value)
        return outputs


def block_graph_executor(graph) -> BlockGraphExecutor:
    """The executor of ``graph``, built once per graph and kept on it (built anew when a node or an edge
    has been replaced since)."""
    executor = getattr(graph, "_block_executor", None)
    if executor is None or executor.structure != _structure(graph):
        executor = BlockGraphExecutor(graph)
        graph._block_executor = executor
    return executor


def run_block_graph(graph, x: np.ndarray, forwards: Mapping[str, Callable] | None = None) -> dict[str, np.ndarray]:
    """Every node's output for input ``x`` (in the layout of the graph's ops, see
    :mod:`sc_neurocore.ir.blocks`); fan-in is summed, standard nodes act on the last axis. ``forwards``
    maps a node name to the float forward it runs instead of its op's own. Without ``forwards`` the
    graph's own executor runs (:func:`block_graph_executor`: models built once per graph)."""
    executor = block_graph_executor(graph) if not forwards else BlockGraphExecutor(graph, forwards)
    return executor.run(x)


def _layout_op(graph):
    """The first op that fixes the input layout (position codes take any), or None."""
    for name in _execution_order(graph):
        node = graph.nodes[name]
        if isinstance(node, BlockOp) and node.LAYOUT != "*ND":
            return node
    return None


def _layout(graph) -> str:
    op = _layout_op(graph)
    return "BND" if op is None else op.LAYOUT


def block_input(graph, steps: int | None, batch: int, rate: float, seed: int) -> np.ndarray:
    """Bernoulli spikes for the graph's layout: TBND ``(steps, batch, N, D)``, BND ``(batch, N, D)``,
    BTD ``(batch, steps, D)``; ``steps`` defaults to 8, ``N`` to 16 (a trained transformer's own)."""
    width = int(np.prod(graph.nodes[graph.of_type(ir.Input)[0]].shape))
    tokens = check_count("the graph's tokens", graph.metadata.get("tokens", BLOCK_TOKENS), "tokens")
    check_count("--batch", batch, "batch")
    if steps is not None:
        check_count("--steps", steps, "steps")
    if not 0.0 <= rate <= 1.0:
        raise InputError(f"--rate is a spike probability per step and must lie in [0, 1], got {rate}")
    if seed < 0:
        raise InputError(f"--seed must be a non-negative integer, got {seed}")
    shape = {"TBND": (steps or 8, batch, tokens, width), "BND": (batch, tokens, width),
             "BTD": (batch, steps or 8, width)}[_layout(graph)]
    check_elements("the generated input", shape)
    return (np.random.default_rng(seed).random(shape) < rate).astype(np.float64)


def is_trained_transformer(graph) -> bool:
    """True for ``sc-neurocore train``'s model.nir of a spiking transformer."""
    return graph.metadata.get("sc_neurocore_model") == "spiking_transformer"


def load_block_input(path, graph) -> np.ndarray:
    """A .npy array (or the .npz array named 'input') in the layout of the graph's first op."""
    path = Path(path)
    layout = _layout(graph)
    array = load_array(path, "input")
    if not np.all(np.isfinite(array)):
        raise InputError(f"{path}: holds NaN or infinite values")
    width = int(np.prod(graph.nodes[graph.of_type(ir.Input)[0]].shape))
    if is_trained_transformer(graph) and array.ndim == 2 and array.shape[-1] == width * graph.metadata["tokens"]:
        # train's test_set.npz: [B, tokens * width] features, direct-encoded as in training (the same
        # currents every step); the model splits them into its tokens
        steps = int(graph.metadata.get("steps", 4))
        return np.broadcast_to(np.asarray(array, dtype=np.float64), (steps, *array.shape)).copy()
    if array.ndim != len(layout) or array.shape[-1] != width:
        raise InputError(f"{path}: this graph's ops take {layout} input with last axis {width}, "
                         f"got shape {list(array.shape)}")
    return np.asarray(array, dtype=np.float64)


def simulate_block_graph(graph, inputs: np.ndarray, forwards: Mapping[str, Callable] | None = None
                         ) -> tuple[SimulationResult, SimulationSummary]:
    """Float run of a graph of block ops (``forwards`` as in :func:`run_block_graph`); the summary's mode
    names the ops it ran. A trained spiking
    transformer (``sc-neurocore train``'s model.nir) runs as the rebuilt training model instead:
    :func:`sc_neurocore.training.simulation.simulate_trained_transformer`."""
    if is_trained_transformer(graph):
        raise UnsupportedError("a trained spiking transformer runs as its rebuilt training model: "
                               "sc_neurocore.training.simulation.simulate_trained_transformer")
    outputs = run_block_graph(graph, inputs, forwards)
    order = _execution_order(graph)
    chain = " -> ".join(f"{n} ({graph.nodes[n].KIND})" for n in order if isinstance(graph.nodes[n], BlockOp))
    rows = []
    for name in order:
        node = graph.nodes[name]
        if isinstance(node, BlockOp):
            out = outputs[name]
            spiking = is_spike_tensor(out)
            kind = f"block:{node.KIND}" + ("" if spiking else " (real output)")
            rows.append(PopulationActivity(name, kind, int(np.prod(node.shape_out)),
                                           int(np.abs(out).sum()) if spiking else 0,
                                           float(np.abs(out).mean()) if spiking else 0.0))
    layout = _layout(graph)
    first = _layout_op(graph)
    steps = inputs.shape[layout.index("T")] if "T" in layout else getattr(first, "T", 1) if first else 1
    batch = inputs.shape[layout.index("B")]
    output_name = graph.of_type(ir.Output)[0]
    result = SimulationResult("float", output_name, {k: v for k, v in outputs.items() if k != "input"})
    mode = f"float (block ops, their own executors: {chain})"
    return result, SimulationSummary(mode, int(steps), int(batch), tuple(rows), None)

