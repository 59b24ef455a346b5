"""NIR 1.0 files into the IR graph: nested subgraphs flattened, our own validation on top.

Subgraphs tagged as our block ops (`sc_neurocore.export.nir_blocks`) are decoded into one IR op each.
"""

from pathlib import Path

import numpy as np

from sc_neurocore.errors import InputError, ModelError, UnsupportedError
from sc_neurocore.export.nir_blocks import block_kind, decode_block
from sc_neurocore.ir import graph as ir_graph
from sc_neurocore.ir import nodes as ir
from sc_neurocore.limits import check_elements, limit
from sc_neurocore.names import safe_text

from .nir_guard import check_nir_file, nir_version

__all__ = ["read_nir", "graph_from_nir", "SUPPORTED_NIR_TYPES"]

_SUPPORTED_MAJOR = "1"


def _arr(value, shape=None) -> np.ndarray:
    if np.iscomplexobj(value):
        raise ModelError("holds complex values; NIR parameters are real numbers")
    array = np.asarray(value, dtype=np.float64)
    if shape is not None and array.shape != tuple(shape):
        check_elements("a parameter", shape)
        array = np.broadcast_to(array, shape).copy()
    return array


def _dims(value) -> tuple[int, ...]:
    """An Input/Output shape: positive integers within the limits."""
    array = np.atleast_1d(np.asarray(value))
    if array.dtype.kind not in "iu" and not (
            array.dtype.kind == "f" and np.all(np.isfinite(array)) and np.all(np.mod(array, 1) == 0)):
        raise ModelError(f"a shape must hold integers, got {safe_text(array.tolist(), 80)}")
    if array.ndim != 1 or np.any(array < 0) or np.any(array > limit("dim")):  # zero: refused by the graph check
        raise ModelError(f"a shape must hold non-negative integers up to {limit('dim')}, got {safe_text(array.tolist(), 80)}")
    shape = tuple(int(d) for d in array)
    check_elements("a shape", shape)
    return shape


def _matrix(value) -> np.ndarray:
    weight = _arr(value)
    if weight.ndim != 2:
        raise ModelError(f"weight must be a 2-d (out, in) matrix, got shape {weight.shape}")
    return weight


# The parameters whose largest shape is a neuron node's shape.
_NEURON_PARAMS = {
    "IF": ("r", "v_threshold"),
    "LI": ("tau", "r", "v_leak"),
    "LIF": ("tau", "r", "v_leak", "v_threshold"),
    "CubaLI": ("tau_syn", "tau_mem", "r", "v_leak"),
    "CubaLIF": ("tau_syn", "tau_mem", "r", "v_leak", "v_threshold"),
}


def _neuron_shape(node, in_shape) -> tuple[int, ...] | None:
    """The largest parameter shape. All-scalar parameters (Norse writes 0-d tensors) take the node's
    declared input shape or else its predecessor's; None while neither is known."""
    names = _NEURON_PARAMS[type(node).__name__]
    shapes = [np.shape(getattr(node, n)) for n in names if getattr(node, n, None) is not None]
    shape = max(shapes, key=lambda s: int(np.prod(s)) if s else 1)
    if shape:
        return shape
    declared = _known_shape(node, "input")
    return declared or (tuple(in_shape) if in_shape is not None else None)


def _ints(value, ndim: int) -> tuple[int, ...]:
    array = np.atleast_1d(np.asarray(value)).astype(np.int64)
    return tuple(int(v) for v in np.broadcast_to(array, (ndim,)))


def _padding(value, ndim: int):
    if isinstance(value, (str, bytes)):
        return value.decode() if isinstance(value, bytes) else value
    return _ints(value, ndim)


def _conv(node, ndim: int, input_shape):
    weight = _arr(node.weight)
    if weight.ndim != ndim + 2:
        raise ModelError(f"weight must have {ndim + 2} dimensions (C_out, C_in/groups, kernel), got {weight.shape}")
    bias = node.bias if getattr(node, "bias", None) is not None else 0.0
    kind = ir.Conv2d if ndim == 2 else ir.Conv1d
    return kind(
        input_shape=tuple(int(d) for d in input_shape), weight=weight, bias=_arr(bias, (weight.shape[0],)),
        stride=_ints(node.stride, ndim), padding=_padding(node.padding, ndim), dilation=_ints(node.dilation, ndim),
        groups=int(node.groups),
    )


def _known_shape(node, key: str):
    shape = node.input_type.get(key) if key == "input" else node.output_type.get(key)
    return None if shape is None else tuple(int(d) for d in np.atleast_1d(shape))


def _convert(name: str, node, in_shape=None):
    """One NIR node into an IR node; a shape error or malformed field becomes a ModelError naming it."""
    try:
        return _convert_node(name, node, in_shape)
    except ModelError as error:
        raise ModelError(f"node {name!r} ({type(node).__name__}): {error}") from None
    except (ValueError, TypeError, IndexError, AttributeError) as error:
        raise ModelError(f"node {name!r} ({type(node).__name__}): malformed parameters ({error})") from None


def _convert_node(name: str, node, in_shape):
    """`in_shape` is the predecessor's output shape, for the node types whose shape NIR may omit."""
    import nir  # lazy: nir and h5py take 0.1 s to import, kept out of CLI start-up

    kind = type(node).__name__
    if kind in _NEURON_PARAMS:
        shape = _neuron_shape(node, in_shape)
        if shape is None:
            return _Pending(node)
    if isinstance(node, (nir.Conv1d, nir.Conv2d)):
        ndim = 2 if isinstance(node, nir.Conv2d) else 1
        spatial = node.input_shape
        if spatial is None:
            if in_shape is None:
                return _Pending(node)
            if len(in_shape) != ndim + 1:
                raise ModelError(f"needs a (channels, {ndim} spatial) input, its predecessor gives {tuple(in_shape)} "
                                 "(an Input shape with a batch dimension?)")
            spatial = in_shape[1:]
        return _conv(node, ndim, np.atleast_1d(spatial))
    if isinstance(node, (nir.SumPool2d, nir.AvgPool2d)):
        if in_shape is None:
            return _Pending(node)
        if len(in_shape) != 3:
            raise ModelError(f"pooling needs a (C, H, W) input, its predecessor gives {in_shape}")
        kind_ir = ir.AvgPool2d if isinstance(node, nir.AvgPool2d) else ir.SumPool2d
        return kind_ir(
            input_shape=tuple(in_shape), kernel_size=_ints(node.kernel_size, 2), stride=_ints(node.stride, 2),
            padding=_ints(node.padding, 2),
        )
    if isinstance(node, nir.Input):
        return ir.Input(shape=_dims(node.input_type["input"]))
    if isinstance(node, nir.Output):
        return ir.Output(shape=_dims(node.output_type["output"]))
    if isinstance(node, nir.Affine):
        weight = _matrix(node.weight)
        return ir.Affine(weight=weight, bias=_arr(node.bias, (weight.shape[0],)))
    if isinstance(node, nir.Linear):
        return ir.Linear(weight=_matrix(node.weight))
    if isinstance(node, nir.Scale):
        return ir.Scale(scale=_arr(node.scale))
    if isinstance(node, nir.Flatten):
        shape = _known_shape(node, "input") or in_shape
        if shape is None:
            return _Pending(node)
        return ir.Flatten(input_shape=shape, start_dim=int(node.start_dim), end_dim=int(node.end_dim))
    if isinstance(node, nir.Delay):
        return ir.Delay(delay=_arr(node.delay))
    if isinstance(node, nir.Threshold):
        return ir.Threshold(threshold=_arr(node.threshold))
    if isinstance(node, nir.I):
        return ir.I(r=_arr(node.r))
    if isinstance(node, nir.IF):
        reset = node.v_reset if getattr(node, "v_reset", None) is not None else 0.0
        return ir.IF(r=_arr(node.r, shape), v_threshold=_arr(node.v_threshold, shape), v_reset=_arr(reset, shape))
    if isinstance(node, nir.LI):
        return ir.LI(tau=_arr(node.tau, shape), r=_arr(node.r, shape), v_leak=_arr(node.v_leak, shape))
    if isinstance(node, nir.LIF):
        reset = node.v_reset if getattr(node, "v_reset", None) is not None else 0.0
        return ir.LIF(
            tau=_arr(node.tau, shape), r=_arr(node.r, shape), v_leak=_arr(node.v_leak, shape),
            v_threshold=_arr(node.v_threshold, shape), v_reset=_arr(reset, shape),
        )
    if isinstance(node, nir.CubaLI):
        return ir.CubaLI(
            tau_syn=_arr(node.tau_syn, shape), tau_mem=_arr(node.tau_mem, shape), r=_arr(node.r, shape),
            v_leak=_arr(node.v_leak, shape), w_in=_arr(node.w_in, shape),
        )
    if isinstance(node, nir.CubaLIF):
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
    "I", "IF", "LI", "LIF", "CubaLI", "CubaLIF", "Conv1d", "Conv2d", "SumPool2d", "AvgPool2d", "NIRGraph",
)


def _flatten_into(nir_graph, prefix: str, nodes: dict, edges: list, top: bool) -> None:
    """Add a (possibly nested) NIR graph's nodes and edges under `prefix`.

    A nested graph's own Input/Output nodes become pass-through joints, contracted later.
    """
    import nir  # lazy: nir and h5py take 0.1 s to import, kept out of CLI start-up

    ports: dict[str, tuple[str, str]] = {}  # subgraph name -> (entry node, exit node)
    for name, node in nir_graph.nodes.items():
        full = prefix + name
        if isinstance(node, nir.NIRGraph) and block_kind(node) is not None:
            nodes[full] = decode_block(node, full)  # one of our ops: kept whole, not flattened
            continue
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


class _Pending:
    """A node whose input shape NIR leaves open (pooling, Norse's convolutions and scalar-parameter neurons):
    inferred from edges."""

    def __init__(self, node):
        self.node = node


def _infer_shapes(nodes: dict, edges: list) -> None:
    """Resolve pending nodes from their predecessors' output shapes, in as many sweeps as needed."""
    while True:
        pending = [n for n, v in nodes.items() if isinstance(v, _Pending)]
        if not pending:
            return
        progress = False
        for name in pending:
            known = [nodes[s].shape_out for s, d in edges if d == name and not isinstance(nodes[s], _Pending)]
            if known:
                nodes[name] = _convert(name, nodes[name].node, known[0])
                progress = not isinstance(nodes[name], _Pending) or progress
        if not progress:
            raise ModelError(f"cannot infer the input shape of {', '.join(pending)}: no predecessor has a known shape")


def _contract_joints(nodes: dict, edges: list) -> list:
    for joint in [n for n, v in nodes.items() if isinstance(v, _Joint)]:
        sources = [s for s, d in edges if d == joint]
        targets = [d for s, d in edges if s == joint]
        edges = [(s, d) for s, d in edges if joint not in (s, d)]
        edges += [(s, d) for s in sources for d in targets]
        del nodes[joint]
    return edges


def graph_from_nir(nir_graph) -> ir_graph.Graph:
    """Convert an in-memory `nir.NIRGraph` into a validated IR graph.

    A graph that is itself one tagged block op becomes Input -> op -> Output.
    """
    if block_kind(nir_graph) is not None:
        block = decode_block(nir_graph)
        nodes = {"input": ir.Input(block.shape_in), "block": block, "output": ir.Output(block.shape_out)}
        return ir_graph.Graph(nodes, [("input", "block"), ("block", "output")]).validate()
    nodes: dict = {}
    edges: list = []
    _flatten_into(nir_graph, "", nodes, edges, top=True)
    missing = sorted({end for edge in edges for end in edge if end not in nodes})
    if missing:
        raise ModelError(f"edges name node(s) that do not exist: {', '.join(missing)}")
    duplicated = sorted({edge for edge in edges if edges.count(edge) > 1}) if len(set(edges)) != len(edges) else []
    if duplicated:
        src, dst = duplicated[0]
        raise ModelError(f"edge {safe_text(src)} -> {safe_text(dst)} appears more than once (it would double the drive)")
    edges = _contract_joints(nodes, edges)
    _infer_shapes(nodes, edges)
    metadata = dict(getattr(nir_graph, "metadata", {}) or {})
    return ir_graph.Graph(nodes=nodes, edges=edges, metadata=metadata).validate()


def _failing_node(path: Path, group_path: str = "node") -> str | None:
    """The (dotted) name of the first node that nir cannot build on its own, if one can be singled out."""
    import h5py  # lazy: nir and h5py take 0.1 s to import, kept out of CLI start-up
    from nir.serialization import read_node

    try:
        with h5py.File(path, "r") as handle:
            group = handle[group_path]
            for name in sorted(group["nodes"]) if "nodes" in group else []:
                child = group["nodes"][name]
                if "nodes" in child:
                    inner = _failing_node(path, f"{group_path}/nodes/{name}")
                    if inner:
                        return f"{name}.{inner}"
                    continue
                try:
                    read_node(child)
                except Exception:  # any failure singles out this node
                    return name
    except (OSError, KeyError):
        return None
    return None


def read_nir(path) -> ir_graph.Graph:
    """Read a NIR file into a validated IR graph; every failure is an InputError naming the file."""
    import h5py  # lazy: nir and h5py take 0.1 s to import, kept out of CLI start-up
    import nir

    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file" if not path.exists() else f"{path}: not a regular file")
    try:
        with h5py.File(path, "r") as handle:
            version = nir_version(path, handle)
    except InputError:
        raise
    except Exception:  # OSError, or RuntimeError from a damaged file
        raise InputError(f"{path}: not a NIR file (not readable as HDF5)") from None
    check_nir_file(path)
    if version is not None and version.split(".")[0] > _SUPPORTED_MAJOR:
        raise InputError(f"{path}: written by NIR {version}; this reader supports NIR 1.x")
    try:
        nir_graph = nir.read(str(path), type_check=False)
    except Exception as error:  # nir raises bare KeyError/ValueError/AssertionError on bad files
        culprit = _failing_node(path)
        where = f"node {culprit!r}: " if culprit else ""
        raise ModelError(f"{path}: {where}malformed NIR graph ({type(error).__name__}: {error})") from None
    if not isinstance(nir_graph, nir.NIRGraph):
        raise ModelError(f"{path}: the file holds a single {type(nir_graph).__name__} node, not a graph")
    try:
        return graph_from_nir(nir_graph)
    except ModelError as error:
        raise type(error)(f"{path}: {error}") from None
    except InputError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, ArithmeticError, RecursionError) as error:
        # values nir accepted but the model cannot use (inf or zero in block-op metadata, strings for numbers)
        raise ModelError(f"{path}: malformed model ({type(error).__name__}: {safe_text(error, 160)})") from None
