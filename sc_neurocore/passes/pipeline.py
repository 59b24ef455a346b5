"""From a model file to what runs: a lowered network (quantised on request) or a graph of block ops; the
entry point the CLI and library users share."""

from dataclasses import dataclass
from pathlib import Path

from sc_neurocore.errors import InputError
from sc_neurocore.frontend import read_nir
from sc_neurocore.ir import Graph
from sc_neurocore.ir.blocks import BlockOp
from sc_neurocore.passes.lower import DEFAULT_DT, Network, lower
from sc_neurocore.passes.quantise import QuantisedNetwork, quantise

__all__ = ["ModelOptions", "block_graph", "load_network", "load_quantised"]


@dataclass(frozen=True)
class ModelOptions:
    """How a NIR graph is discretised and quantised; recorded in build manifests."""

    dt: float = DEFAULT_DT
    spike_condition: str = "gt"
    reset: str = "model"
    weight_bits: int = 8
    state_bits: int = 16
    integrator_r: str = "per_step"


def block_graph(path) -> Graph | None:
    """The IR graph of a .nir file if it holds block ops (else None: it lowers to a network)."""
    if Path(path).suffix.lower() != ".nir":
        return None
    graph = read_nir(path)
    return graph if graph.of_type(BlockOp) else None


def load_network(path, options: ModelOptions = ModelOptions()) -> Network:
    path = Path(path)
    if path.suffix.lower() != ".nir":
        raise InputError(f"{path}: expected a .nir file")
    graph = read_nir(path)
    return lower(
        graph, dt=options.dt, spike_condition=options.spike_condition, reset_mode=options.reset,
        integrator_r=options.integrator_r,
    )


def load_quantised(path, options: ModelOptions = ModelOptions()) -> tuple[Network, QuantisedNetwork]:
    network = load_network(path, options)
    return network, quantise(network, weight_bits=options.weight_bits, state_bits=options.state_bits)
