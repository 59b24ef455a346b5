"""A trained spiking transformer's model.nir runs as the rebuilt training model; the block-graph
executor refuses it rather than running its ops one by one."""

import numpy as np
import pytest

from sc_neurocore.errors import UnsupportedError
from sc_neurocore.frontend import read_nir
from sc_neurocore.sim.blocks import is_trained_transformer, simulate_block_graph
from sc_neurocore.training import SpikingTransformer
from sc_neurocore.training.export import write_transformer_nir
from sc_neurocore.training.simulation import simulate_trained_transformer


def test_logits_are_the_rebuilt_models(tmp_path):
    model = SpikingTransformer(8, 8, 10, dim=16, heads=2, seed=4)
    graph = read_nir(write_transformer_nir(model, tmp_path / "model.nir"))
    x = (np.random.default_rng(0).random((4, 3, 8, 8)) < 0.4).astype(np.float64)  # [T, B, tokens, P]
    result, summary = simulate_trained_transformer(graph, x)
    assert is_trained_transformer(graph)
    assert np.array_equal(result.output, model.forward(x.astype(np.float32)))
    assert (summary.steps, summary.batch, summary.activity[0].size) == (4, 3, 10)


def test_the_block_graph_executor_refuses_a_trained_transformer(tmp_path):
    graph = read_nir(write_transformer_nir(SpikingTransformer(8, 8, 10, dim=16, heads=2, seed=4), tmp_path / "m.nir"))
    with pytest.raises(UnsupportedError, match="simulate_trained_transformer"):
        simulate_block_graph(graph, np.zeros((4, 1, 8, 8)))
