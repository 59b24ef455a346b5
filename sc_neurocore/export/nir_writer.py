"""The IR graph as a NIR 1.0 graph: `to_nir` in memory, `write_nir` to a file a plain `nir.read` loads.

Every IR node maps to the NIR node of the same name with the same parameters, so reading the file
back with `sc_neurocore.frontend.read_nir` gives an equal graph. Block ops (attention, SSM, CPG)
become tagged subgraphs of standard nodes (`sc_neurocore.export.nir_blocks`). NIR stores no time step or
conventions; they go into the graph metadata under "sc_neurocore" (see `sc_neurocore.presets`).
"""

from pathlib import Path

import numpy as np

from sc_neurocore import __version__
from sc_neurocore.atomic import atomic_write, check_target
from sc_neurocore.errors import UnsupportedError
from sc_neurocore.ir import Graph
from sc_neurocore.ir import nodes as ir
from sc_neurocore.ir.blocks import BlockOp
from sc_neurocore.presets import Preset

from .nir_blocks import encode_block

__all__ = ["to_nir", "write_nir", "METADATA_KEY"]

METADATA_KEY = "sc_neurocore"


def _shape(shape) -> np.ndarray:
    return np.asarray(shape, dtype=np.int64)


def _node(node):
    import nir  # lazy: nir and h5py take 0.1 s to import, kept out of CLI start-up

    if isinstance(node, BlockOp):
        return encode_block(node)
    kind = type(node)
    if kind is ir.Input:
        return nir.Input(input_type=_shape(node.shape))
    if kind is ir.Output:
        return nir.Output(output_type=_shape(node.shape))
    if kind is ir.Affine:
        return nir.Affine(weight=node.weight, bias=node.bias)
    if kind is ir.Linear:
        return nir.Linear(weight=node.weight)
    if kind is ir.Scale:
        return nir.Scale(scale=node.scale)
    if kind is ir.Flatten:
        return nir.Flatten(input_type=_shape(node.input_shape), start_dim=node.start_dim, end_dim=node.end_dim)
    if kind is ir.Delay:
        return nir.Delay(delay=node.delay)
    if kind is ir.Threshold:
        return nir.Threshold(threshold=node.threshold)
    if kind in (ir.Conv1d, ir.Conv2d):
        return _conv(node)
    if kind in (ir.SumPool2d, ir.AvgPool2d):
        cls = nir.AvgPool2d if kind is ir.AvgPool2d else nir.SumPool2d
        return cls(kernel_size=_shape(node.kernel_size), stride=_shape(node.stride), padding=_shape(node.padding))
    if kind in (ir.I, ir.IF, ir.LI, ir.LIF, ir.CubaLI, ir.CubaLIF):
        return getattr(nir, kind.__name__)(**node.arrays())
    raise UnsupportedError(f"IR node type {kind.__name__} has no NIR export")


def _conv(node):
    import nir  # lazy: nir and h5py take 0.1 s to import, kept out of CLI start-up

    padding = node.padding if isinstance(node.padding, str) else _shape(node.padding)
    if isinstance(node, ir.Conv2d):
        return nir.Conv2d(
            input_shape=_shape(node.input_shape), weight=node.weight, stride=_shape(node.stride), padding=padding,
            dilation=_shape(node.dilation), groups=node.groups, bias=node.bias,
        )
    return nir.Conv1d(
        input_shape=int(node.input_shape[0]), weight=node.weight, stride=int(node.stride[0]),
        padding=padding if isinstance(padding, str) else int(padding[0]), dilation=int(node.dilation[0]),
        groups=node.groups, bias=node.bias,
    )


def _metadata(graph: Graph, preset: Preset | None, dt: float | None) -> dict:
    ours = {"version": __version__}
    if preset is not None:
        ours.update(preset.to_metadata())
    if dt is not None:
        ours["dt"] = float(dt)
    metadata = {k: v for k, v in graph.metadata.items() if k != METADATA_KEY}
    metadata[METADATA_KEY] = ours
    return metadata


def to_nir(graph: Graph, preset: Preset | None = None, dt: float | None = None):
    """A `nir.NIRGraph` with one NIR node per IR node; conventions and dt recorded in metadata."""
    import nir  # lazy: nir and h5py take 0.1 s to import, kept out of CLI start-up

    nodes = {name: _node(node) for name, node in graph.nodes.items()}
    return nir.NIRGraph(
        nodes=nodes, edges=list(graph.edges), metadata=_metadata(graph, preset, dt), type_check=False,
    )


def write_nir(graph: Graph, path, preset: Preset | None = None, dt: float | None = None, force: bool = False) -> Path:
    """Write `graph` as a NIR file atomically (temp file + rename); refuse to overwrite unless `force`."""
    import nir  # lazy: nir and h5py take 0.1 s to import, kept out of CLI start-up

    path = Path(path)
    check_target(path, force)
    nir_graph = to_nir(graph, preset, dt)
    return atomic_write(path, lambda temporary: nir.write(temporary, nir_graph))
