"""NIR 1.0 files into the IR graph: nested subgraphs flattened, our own validation on top."""

from pathlib import Path

import numpy as np

from sc_neurocore.errors import InputError, ModelError, UnsupportedError
from sc_neurocore.ir import graph as ir_graph
from sc_neurocore.ir import nodes as ir

__all__ = ["read_nir", "graph_from_nir", "SUPPORTED_NIR_TYPES"]

_SUPPORTED_MAJOR = "1"


def _arr(value, shape=None) -> np.ndarray:
    array = np.asarray(value, dtype=np.float64)
    if shape is not None and array.shape != tuple(shape):
        array = np.broadcast_to(array, shape).copy()
    return array


def _neuron_shape(node, *names) -> tuple[int, ...]:
    shapes = [np.shape(getattr(node, n)) for n in names if getattr(node, n, None) is not None]
    return max(shapes, key=lambda s: int(np.prod(s)) if s else 1)


def _convert(name: str, node):
    """One NIR node into an IR node (or None for a nested graph, handled by the caller)."""
    import nir

    kind = type(node).__name__
    if isinstance(node, nir.Input):
        return ir.Input(shape=tuple(int(d) for d in node.input_type["input"]))
    if isinstance(node, nir.Output):
        return ir.Output(shape=tuple(int(d) for d in node.output_type["output"]))
    if isinstance(node, nir.Affine):
        weight = _arr(node.weight)
        return ir.Affine(weight=weight, bias=_arr(node.bias, (weight.shape[0],)))
    if isinstance(node, nir.Linear):
        return ir.Linear(weight=_arr(node.weight))
    if isinstance(node, nir.Scale):
        return ir.Scale(scale=_arr(node.scale))
    if isinstance(node, nir.Flatten):
        shape = tuple(int(d) for d in node.input_type["input"])
        return ir.Flatten(input_shape=shape, start_dim=int(node.start_dim), end_dim=int(node.end_dim))
    if isinstance(node, nir.Delay):
        return ir.Delay(delay=_arr(node.delay))
    if isinstance(node, nir.Threshold):
        return ir.Threshold(threshold=_arr(node.threshold))
    if isinstance(node, nir.I):
        return ir.I(r=_arr(node.r))
    if isinstance(node, nir.IF):
        shape = _neuron_shape(node, "r", "v_threshold")
        reset = node.v_reset if getattr(node, "v_reset", None) is not None else 0.0
        return ir.IF(r=_arr(node.r, shape), v_threshold=_arr(node.v_threshold, shape), v_reset=_arr(reset, shape))
    if isinstance(node, nir.LI):
        shape = _neuron_shape(node, "tau", "r", "v_leak")
        return ir.LI(tau=_arr(node.tau, shape), r=_arr(node.r, shape), v_leak=_arr(node.v_leak, shape))
    if isinstance(node, nir.LIF):
        shape = _neuron_shape(node, "tau", "r", "v_leak", "v_threshold")
        reset = node.v_reset if getattr(node, "v_reset", None) is not None else 0.0
        return ir.LIF(
            tau=_arr(node.tau, shape), r=_arr(node.r, shape), v_leak=_arr(node.v_leak, shape),
            v_threshold=_arr(node.v_threshold, shape), v_reset=_arr(reset, shape),
        )
    if isinstance(node, nir.CubaLI):
        shape = _neuron_shape(node, "tau_syn", "tau_mem", "r", "v_leak")
        return ir.CubaLI(
            tau_syn=_arr(node.tau_syn, shape), tau_mem=_arr(node.tau_mem, shape), r=_arr(node.r, shape),
            v_leak=_arr(node.v_leak, shape), w_in=_arr(node.w_in, shape),
        )
    if isinstance(node, nir.CubaLIF):
        shape = _neuron_shape(node, "tau_syn", "tau_mem", "r", "v_leak", "v_threshold")
        reset = node.v_reset if getattr(node, "v_reset", None) is not None else 0.0
        return ir.CubaLIF(
            tau_syn=_arr(node.tau_syn, shape), tau_mem=_arr(node.tau_mem, shape), r=_arr(node.r, shape),
            v_leak=_arr(node.v_leak, shape), v_threshold=_arr(node.v_threshold, shape),
            v_reset=_arr(reset, shape), w_in=_arr(node.w_in, shape),
        )
    raise UnsupportedError(
        f"node {name!r} has NIR type {kind}, which sc-neurocore does not support yet; "
        f"supported: {', '.join(SUPPORTED_NIR_TYPES)}"
    )


SUPPORTED_NIR_TYPES = (
    "Input", "Output", "Affine", "Linear", "Scale", "Flatten", "Delay", "Threshold",
    "I", "IF", "LI", "LIF", "CubaLI", "CubaLIF", "NIRGraph",
)


def _flatten_into(nir_graph, prefix: str, nodes: dict, edges: list, top: bool) -> None:
    """Add a (possibly nested) NIR graph's nodes and edges under `prefix`.

    A nested graph's own Input/Output nodes become pass-through joints, contracted later.
    """
    import nir

    ports: dict[str, tuple[str, str]] = {}  # subgraph name -> (entry node, exit node)
    for name, node in nir_graph.nodes.items():
        full = prefix + name
        if isinstance(node, nir.NIRGraph):
            _flatten_into(node, full + ".", nodes, edges, top=False)
            entries = [n for n, v in node.nodes.items() if isinstance(v, nir.Input)]
            exits = [n for n, v in node.nodes.items() if isinstance(v, nir.Output)]
            if len(entries) != 1 or len(exits) != 1:
                raise ModelError(f"nested graph {full!r} needs exactly one Input and one Output node")
            ports[name] = (f"{full}.{entries[0]}", f"{full}.{exits[0]}")
            continue
        converted = _convert(full, node)
        if not top and isinstance(converted, (ir.Input, ir.Output)):
            converted = _Joint()
        nodes[full] = converted
    for src, dst in nir_graph.edges:
        src_full = ports[src][1] if src in ports else prefix + src
        dst_full = ports[dst][0] if dst in ports else prefix + dst
        edges.append((src_full, dst_full))


class _Joint:
    """A nested graph's Input/Output: a wire, removed by `_contract_joints`."""


def _contract_joints(nodes: dict, edges: list) -> list:
    for joint in [n for n, v in nodes.items() if isinstance(v, _Joint)]:
        sources = [s for s, d in edges if d == joint]
        targets = [d for s, d in edges if s == joint]
        edges = [(s, d) for s, d in edges if joint not in (s, d)]
        edges += [(s, d) for s in sources for d in targets]
        del nodes[joint]
    return edges


def graph_from_nir(nir_graph) -> ir_graph.Graph:
    """Convert an in-memory `nir.NIRGraph` into a validated IR graph."""
    nodes: dict = {}
    edges: list = []
    _flatten_into(nir_graph, "", nodes, edges, top=True)
    missing = sorted({end for edge in edges for end in edge if end not in nodes})
    if missing:
        raise ModelError(f"edges name node(s) that do not exist: {', '.join(missing)}")
    edges = _contract_joints(nodes, edges)
    metadata = dict(getattr(nir_graph, "metadata", {}) or {})
    return ir_graph.Graph(nodes=nodes, edges=edges, metadata=metadata).validate()


def read_nir(path) -> ir_graph.Graph:
    """Read a NIR file into a validated IR graph; every failure is an InputError naming the file."""
    import h5py
    import nir

    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        with h5py.File(path, "r") as handle:
            version = handle["version"][()].decode() if "version" in handle else None
    except OSError:
        raise InputError(f"{path}: not a NIR file (not readable as HDF5)") from None
    if version is not None and version.split(".")[0] > _SUPPORTED_MAJOR:
        raise InputError(f"{path}: written by NIR {version}; this reader supports NIR 1.x")
    try:
        nir_graph = nir.read(str(path), type_check=False)
    except Exception as error:  # nir raises bare KeyError/ValueError/AssertionError on bad files
        raise ModelError(f"{path}: malformed NIR graph ({type(error).__name__}: {error})") from None
    if not isinstance(nir_graph, nir.NIRGraph):
        raise ModelError(f"{path}: the file holds a single {type(nir_graph).__name__} node, not a graph")
    try:
        return graph_from_nir(nir_graph)
    except ModelError as error:
        raise type(error)(f"{path}: {error}") from None
