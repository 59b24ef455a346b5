"""The IR graph: named typed nodes, directed edges, fan-in summed, cycles allowed."""

from dataclasses import dataclass, field

import numpy as np

from sc_neurocore.errors import ModelError, ScNeurocoreError

from . import nodes as ir
from .nodes import Input, Node, Output

__all__ = ["Graph"]


@dataclass(eq=False)
class Graph:
    nodes: dict[str, Node]
    edges: list[tuple[str, str]]
    metadata: dict = field(default_factory=dict)

    def predecessors(self, name: str) -> list[str]:
        return [src for src, dst in self.edges if dst == name]

    def successors(self, name: str) -> list[str]:
        return [dst for src, dst in self.edges if src == name]

    def of_type(self, node_type) -> list[str]:
        return [name for name, node in self.nodes.items() if isinstance(node, node_type)]

    def validate(self) -> "Graph":
        """Check edges, shapes and parameter values; raise ModelError naming the culprit."""
        for src, dst in self.edges:
            for end in (src, dst):
                if end not in self.nodes:
                    raise ModelError(f"edge {src!r} -> {dst!r} names node {end!r}, which does not exist")
        for name, node in self.nodes.items():
            for pname, value in node.arrays().items():
                if value.size == 0:
                    raise ModelError(f"node {name!r}: parameter {pname!r} is empty")
                if not np.all(np.isfinite(value)):
                    raise ModelError(f"node {name!r}: parameter {pname!r} contains NaN or inf")
            _check_structure(name, node)
            for pname in ("tau", "tau_mem", "tau_syn"):
                value = getattr(node, pname, None)
                if value is not None and np.any(value <= 0):
                    raise ModelError(f"node {name!r}: {pname} must be positive")
        for src, dst in self.edges:
            out = int(np.prod(self.nodes[src].shape_out))
            into = int(np.prod(self.nodes[dst].shape_in))
            if out != into:
                raise ModelError(
                    f"edge {src!r} -> {dst!r}: {src!r} gives {out} values but {dst!r} takes {into}"
                )
        _check_state_in_cycles(self)
        if not self.of_type(Input):
            raise ModelError("the graph has no Input node")
        if not self.of_type(Output):
            raise ModelError("the graph has no Output node")
        return self


def _check_structure(name: str, node: Node) -> None:
    """Shapes that are positive and parameters that fit them (convolution groups, pooling windows)."""
    if isinstance(node, ir.Conv1d):
        c_out = node.weight.shape[0]
        if node.groups < 1 or c_out % node.groups:
            raise ModelError(f"node {name!r}: groups={node.groups} does not divide {c_out} output channels")
        if node.bias.shape != (c_out,):
            raise ModelError(f"node {name!r}: bias has shape {node.bias.shape}, expected ({c_out},)")
        ndim = node.weight.ndim - 2
        for field_name in ("stride", "dilation", "input_shape"):
            value = getattr(node, field_name)
            if len(value) != ndim or min(value) < 1:
                raise ModelError(f"node {name!r}: {field_name} {tuple(value)} must be {ndim} positive integers")
    if isinstance(node, ir.SumPool2d):
        if min(node.kernel_size) < 1 or min(node.stride) < 1 or min(node.padding) < 0:
            raise ModelError(f"node {name!r}: kernel_size and stride must be positive, padding non-negative")
    try:
        shapes = (tuple(node.shape_in), tuple(node.shape_out))
    except ScNeurocoreError as error:
        raise ModelError(f"node {name!r}: {error}") from None
    for shape in shapes:
        if not shape or min(shape) < 1:
            raise ModelError(f"node {name!r}: shape {list(shape)} has a zero-size or negative dimension")


def _check_state_in_cycles(graph: "Graph") -> None:
    """Every cycle must pass through a node with state (a neuron or a Delay) to be executable."""
    stateful = set(graph.of_type(ir.NEURON_TYPES)) | set(graph.of_type(ir.Delay))
    targets = {name: [] for name in graph.nodes}
    for src, dst in graph.edges:
        if src not in stateful and dst not in stateful:
            targets[src].append(dst)
    colour = dict.fromkeys(graph.nodes, 0)  # 0 new, 1 on the stack, 2 done
    for root in graph.nodes:
        if colour[root]:
            continue
        stack = [(root, iter(targets[root]))]
        colour[root] = 1
        while stack:
            node, rest = stack[-1]
            nxt = next(rest, None)
            if nxt is None:
                colour[node] = 2
                stack.pop()
            elif colour[nxt] == 1:
                raise ModelError(f"edge {node!r} -> {nxt!r} closes a cycle with no neuron or Delay to hold its state")
            elif colour[nxt] == 0:
                colour[nxt] = 1
                stack.append((nxt, iter(targets[nxt])))
