"""``simulate`` of a trained spiking transformer: ``sc-neurocore train``'s model.nir runs as the training
model rebuilt from the file (block graphs of other ops run in :mod:`sc_neurocore.sim.blocks`)."""

import numpy as np

from sc_neurocore.sim.executor import SimulationResult
from sc_neurocore.sim.summary import PopulationActivity, SimulationSummary
from sc_neurocore.training.export import transformer_from_graph

__all__ = ["simulate_trained_transformer"]


def simulate_trained_transformer(graph, inputs: np.ndarray) -> tuple[SimulationResult, SimulationSummary]:
    """Float logits of the rebuilt model for ``inputs`` [T, B, ...]; the summary's one row is the readout."""
    logits = transformer_from_graph(graph).forward(np.asarray(inputs, np.float32))
    row = PopulationActivity("readout", "block:token_readout", logits.shape[-1], 0, 0.0)
    result = SimulationResult("float", "output", {"output": logits})
    mode = "float (trained spiking transformer rebuilt from the file, sc_neurocore.training; output = logits)"
    return result, SimulationSummary(mode, inputs.shape[0], inputs.shape[1], (row,), None)
