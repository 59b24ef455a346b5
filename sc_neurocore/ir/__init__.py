"""The intermediate representation: typed nodes and the graph that connects them."""

from .graph import Graph
from .nodes import *  # noqa: F401,F403 - the node types are the IR's public API
from .nodes import __all__ as _node_names

__all__ = ["Graph", *_node_names]
