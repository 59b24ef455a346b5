"""``simulate`` of what ``sc-neurocore train`` writes: a trained spiking transformer's model.nir runs as the
training model rebuilt from the file, a graph of trained attention ops runs each op as its rebuilt training
module (block graphs of other ops run in :mod:`sc_neurocore.sim.blocks`)."""

import numpy as np

from sc_neurocore.ir.blocks import TrainedAttention
from sc_neurocore.sim.blocks import simulate_block_graph
from sc_neurocore.sim.executor import SimulationResult
from sc_neurocore.sim.summary import PopulationActivity, SimulationSummary
from sc_neurocore.training.block_ops import attention_module
from sc_neurocore.training.export import transformer_from_graph

__all__ = ["simulate_trained_transformer", "simulate_trained_ops"]


def simulate_trained_transformer(graph, inputs: np.ndarray) -> tuple[SimulationResult, SimulationSummary]:
    """Float logits of the rebuilt model for ``inputs`` [T, B, ...]; the summary's one row is the readout."""
    logits = transformer_from_graph(graph).forward(np.asarray(inputs, np.float32))
    row = PopulationActivity("readout", "block:token_readout", logits.shape[-1], 0, 0.0)
    result = SimulationResult("float", "output", {"output": logits})
    mode = "float (trained spiking transformer rebuilt from the file, sc_neurocore.training; output = logits)"
    return result, SimulationSummary(mode, inputs.shape[0], inputs.shape[1], (row,), None)


def simulate_trained_ops(graph, inputs: np.ndarray) -> tuple[SimulationResult, SimulationSummary]:
    """Float run of a block graph that holds trained attention ops, each run as its rebuilt training module."""
    forwards = {name: attention_module(graph.nodes[name], name).forward for name in graph.of_type(TrainedAttention)}
    return simulate_block_graph(graph, inputs, forwards)
