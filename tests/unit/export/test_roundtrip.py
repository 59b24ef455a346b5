"""IR -> NIR file -> IR gives an equal graph, for every node type; plain nir.read loads our files."""

import nir
import numpy as np
import pytest

from sc_neurocore.errors import InputError
from sc_neurocore.export import to_nir, write_nir
from sc_neurocore.frontend import read_nir
from sc_neurocore.ir import Graph
from sc_neurocore.ir import nodes as ir
from sc_neurocore.presets import PRESETS, get_preset

RNG = np.random.default_rng(7)


def _v(*shape):
    return RNG.uniform(0.5, 1.5, shape)


def _neurons(n):
    return {
        "I": ir.I(r=_v(n)),
        "IF": ir.IF(r=_v(n), v_threshold=_v(n), v_reset=_v(n) * 0),
        "LI": ir.LI(tau=_v(n), r=_v(n), v_leak=_v(n)),
        "LIF": ir.LIF(tau=_v(n), r=_v(n), v_leak=_v(n), v_threshold=_v(n), v_reset=_v(n)),
        "CubaLI": ir.CubaLI(tau_syn=_v(n), tau_mem=_v(n), r=_v(n), v_leak=_v(n), w_in=_v(n)),
        "CubaLIF": ir.CubaLIF(tau_syn=_v(n), tau_mem=_v(n), r=_v(n), v_leak=_v(n), v_threshold=_v(n),
                              v_reset=_v(n), w_in=_v(n)),
        "Threshold": ir.Threshold(threshold=_v(n)),
    }


def _graphs():
    """Small graphs that together hold every IR node type."""
    yield "chain", Graph(
        nodes={"in": ir.Input(shape=(3,)), "aff": ir.Affine(weight=_v(4, 3), bias=_v(4)), "lin": ir.Linear(weight=_v(4, 4)),
               "sc": ir.Scale(scale=_v(4)), "del": ir.Delay(delay=_v(4) * 1e-3), "out": ir.Output(shape=(4,))},
        edges=[("in", "aff"), ("aff", "lin"), ("lin", "sc"), ("sc", "del"), ("del", "out")],
    )
    for kind, node in _neurons(5).items():
        yield kind, Graph(nodes={"in": ir.Input(shape=(5,)), "n": node, "out": ir.Output(shape=(5,))},
                          edges=[("in", "n"), ("n", "out")])
    yield "conv2d", Graph(
        nodes={"in": ir.Input(shape=(2, 8, 8)),
               "c": ir.Conv2d(input_shape=(8, 8), weight=_v(4, 1, 3, 3), bias=_v(4), stride=(1, 2), padding=(1, 0),
                              dilation=(2, 1), groups=2),
               "sp": ir.SumPool2d(input_shape=(4, 6, 3), kernel_size=(2, 1), stride=(2, 1), padding=(0, 0)),
               "ap": ir.AvgPool2d(input_shape=(4, 3, 3), kernel_size=(2, 2), stride=(1, 1), padding=(1, 1)),
               "fl": ir.Flatten(input_shape=(4, 4, 4), start_dim=1, end_dim=2),
               "out": ir.Output(shape=(4, 16))},
        edges=[("in", "c"), ("c", "sp"), ("sp", "ap"), ("ap", "fl"), ("fl", "out")],
    )
    yield "conv1d", Graph(
        nodes={"in": ir.Input(shape=(2, 10)),
               "c": ir.Conv1d(input_shape=(10,), weight=_v(3, 2, 3), bias=_v(3), padding="same"),
               "c2": ir.Conv1d(input_shape=(10,), weight=_v(2, 3, 2), bias=_v(2), stride=(2,), padding="valid"),
               "out": ir.Output(shape=(2, 5))},
        edges=[("in", "c"), ("c", "c2"), ("c2", "out")],
    )


def _assert_equal(a: Graph, b: Graph):
    assert set(a.nodes) == set(b.nodes)
    assert sorted(a.edges) == sorted(b.edges)
    for name, node in a.nodes.items():
        other = b.nodes[name]
        assert type(node) is type(other), name
        for field in node.__dataclass_fields__:
            mine, theirs = getattr(node, field), getattr(other, field)
            if isinstance(mine, np.ndarray):
                np.testing.assert_array_equal(mine, theirs, err_msg=f"{name}.{field}")
            else:
                assert tuple(np.atleast_1d(mine)) == tuple(np.atleast_1d(theirs)), f"{name}.{field}"


@pytest.mark.parametrize("label, graph", list(_graphs()), ids=[label for label, _ in _graphs()])
def test_round_trip_through_a_file(tmp_path, label, graph):
    graph.validate()
    path = write_nir(graph, tmp_path / f"{label}.nir")
    _assert_equal(graph, read_nir(path))
    assert isinstance(nir.read(str(path), type_check=False), nir.NIRGraph)


def test_every_ir_node_type_is_covered():
    covered = {type(node) for _, graph in _graphs() for node in graph.nodes.values()}
    bases = ("Node", "Neuron")
    every = {getattr(ir, name) for name in ir.__all__ if isinstance(getattr(ir, name), type) and name not in bases}
    assert every <= covered


def test_paper_cnn_round_trips_and_records_the_preset(tmp_path, nir_paper):
    graph = read_nir(nir_paper / "02_cnn" / "cnn_sinabs.nir")
    path = write_nir(graph, tmp_path / "cnn.nir", preset=get_preset("sinabs"))
    back = read_nir(path)
    _assert_equal(graph, back)
    assert back.metadata["sc_neurocore"]["spike_condition"] == "ge"
    assert float(back.metadata["sc_neurocore"]["dt"]) == 1e-4
    assert to_nir(graph, dt=1e-3).metadata["sc_neurocore"]["dt"] == 1e-3


def test_writer_refuses_to_overwrite_and_presets_are_checked(tmp_path):
    _, graph = next(_graphs())
    path = write_nir(graph, tmp_path / "g.nir")
    with pytest.raises(InputError, match="exists"):
        write_nir(graph, path)
    write_nir(graph, path, force=True)
    with pytest.raises(InputError, match="snntorch"):
        get_preset("keras")
    assert {"snntorch", "norse", "spikingjelly", "sinabs"} <= set(PRESETS)
