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


def test_a_file_of_one_trained_attention_op_runs_as_its_module(capsys, tmp_path):
    """`simulate` of a trained A²OS²A op on its own: the op is data, the rebuilt training module runs it."""
    import json

    from sc_neurocore.cli.app import main
    from sc_neurocore.export import write_nir
    from sc_neurocore.ir import Graph, Input, Output
    from sc_neurocore.training.modules.attention_variants import TrainableA2OS2A
    from sc_neurocore.training.block_ops import attention_op

    module = TrainableA2OS2A(8, 2, rng=np.random.default_rng(1), threshold=0.5, attn_threshold=0.25)
    op = attention_op(module)
    graph = Graph({"input": Input((8,)), "attention": op, "output": Output((8,))},
                  [("input", "attention"), ("attention", "output")]).validate()
    path = write_nir(graph, tmp_path / "a2os2a.nir")
    code = main(["simulate", str(path), "--steps", "4", "--batch", "2", "--rate", "0.4", "--json",
                 "--out", str(tmp_path / "run.npz")])
    assert code == 0, capsys.readouterr().err
    assert "attention (trained_a2os2a)" in json.loads(capsys.readouterr().out)["mode"]
    x = (np.random.default_rng(0).random((4, 2, 16, 8)) < 0.4).astype(np.float64)  # [T, B, tokens, D]
    want = module.forward(x)
    assert np.count_nonzero(want) > 0 and np.array_equal(np.load(tmp_path / "run.npz")["output"], want)
