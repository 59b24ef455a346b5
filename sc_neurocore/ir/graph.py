"""The IR graph: named typed nodes, directed edges, fan-in summed, cycles allowed."""

from dataclasses import dataclass, field

import numpy as np

from sc_neurocore.errors import ModelError

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
        if not self.of_type(Input):
            raise ModelError("the graph has no Input node")
        if not self.of_type(Output):
            raise ModelError("the graph has no Output node")
        return self
