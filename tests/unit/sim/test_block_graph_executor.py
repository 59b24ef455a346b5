"""A graph of block ops builds its seed-API models once (sim.blocks.block_graph_executor), with the same
outputs as a model built afresh for every run."""

import numpy as np

from sc_neurocore.ir import Graph, Input, Output
from sc_neurocore.sim import blocks
from sc_neurocore.sim.block_forward import block_forward
from sc_neurocore.transformers import SpikyStateSpace
from sc_neurocore.transformers.ssm import spiky_state_space_op

D = 8
X = 3 * np.random.default_rng(1).random((2, 20, D))  # [B, T, D]


def _graph(seed: int = 4) -> Graph:
    op = spiky_state_space_op(SpikyStateSpace(D, 8, 0.5, 0.05, "s4d-real", seed))
    return Graph({"input": Input((D,)), "ssm": op, "output": Output((D,))},
                 [("input", "ssm"), ("ssm", "output")]).validate()


def _counting_block_forward(monkeypatch) -> list:
    built = []

    def counting(op):
        built.append(op)
        return block_forward(op)

    monkeypatch.setattr(blocks, "block_forward", counting)
    return built


def test_repeated_runs_build_the_model_once_and_give_a_fresh_models_outputs(monkeypatch):
    graph = _graph()
    built = _counting_block_forward(monkeypatch)
    runs = [blocks.run_block_graph(graph, X)["output"] for _ in range(3)]
    assert len(built) == 1
    for run in runs:
        np.testing.assert_array_equal(run, block_forward(graph.nodes["ssm"])(X))
    assert runs[0] is not runs[1]  # every run returns its own array


def test_a_replaced_node_is_built_anew(monkeypatch):
    graph = _graph()
    built = _counting_block_forward(monkeypatch)
    blocks.run_block_graph(graph, X)
    graph.nodes["ssm"] = _graph(seed=9).nodes["ssm"]
    got = blocks.run_block_graph(graph, X)["output"]
    assert len(built) == 2
    np.testing.assert_array_equal(got, block_forward(graph.nodes["ssm"])(X))


def test_each_graph_has_its_own_executor():
    first, second = _graph(), _graph()
    assert blocks.block_graph_executor(first) is blocks.block_graph_executor(first)
    assert blocks.block_graph_executor(first) is not blocks.block_graph_executor(second)
