"""Malformed NIR input fails with one ModelError/InputError that names the node, edge or file."""

import h5py
import nir
import numpy as np
import pytest

from sc_neurocore.errors import InputError, ModelError
from sc_neurocore.frontend import graph_from_nir, read_nir
from tests.netbuild import lif


def _graph(nodes, edges):
    return nir.NIRGraph(nodes=nodes, edges=edges, type_check=False)


@pytest.mark.parametrize(
    "node, message",
    [
        (nir.Affine(weight=np.ones((3, 3)), bias=np.ones(5)), "'bad'.*malformed"),
        (nir.Linear(weight=np.ones((3, 3, 1))), "'bad'.*2-d"),
        (nir.Conv2d(input_shape=(3,), weight=np.ones((3, 3, 1, 1)), stride=1, padding=0, dilation=1, groups=1,
                    bias=np.zeros(3)), "'bad'.*input_shape"),
        (nir.Conv2d(input_shape=(1, 1), weight=np.ones((3, 1, 1, 1)), stride=1, padding=0, dilation=1, groups=2,
                    bias=np.zeros(3)), "'bad'.*groups"),
    ],
)
def test_wrong_parameter_shapes_name_the_node(node, message):
    graph = _graph({"input": nir.Input(np.array([3])), "bad": node, "lif": lif(3), "output": nir.Output(np.array([3]))},
                   [("input", "bad"), ("bad", "lif"), ("lif", "output")])
    with pytest.raises(ModelError, match=message):
        graph_from_nir(graph)


def test_neuron_parameters_of_different_shapes_in_a_file_name_the_node(tmp_path):
    path = tmp_path / "lif.nir"
    nir.write(path, nir.NIRGraph.from_list(nir.Input(np.array([3])), nir.Linear(np.ones((3, 3))), lif(3),
                                           nir.Output(np.array([3]))))
    with h5py.File(path, "r+") as handle:
        del handle["node/nodes/lif/r"]
        handle["node/nodes/lif/r"] = np.ones(4)
    with pytest.raises(ModelError, match="lif.nir: node 'lif': malformed"):
        read_nir(path)


def test_zero_size_dimension_is_refused():
    graph = _graph({"input": nir.Input(np.array([0])), "output": nir.Output(np.array([0]))}, [("input", "output")])
    with pytest.raises(ModelError, match="'input'.*zero-size"):
        graph_from_nir(graph)


def test_conv_whose_kernel_exceeds_its_input_is_refused():
    conv = nir.Conv2d(input_shape=(2, 2), weight=np.ones((1, 1, 3, 3)), stride=1, padding=0, dilation=1, groups=1,
                      bias=np.zeros(1))
    graph = _graph({"input": nir.Input(np.array([1, 2, 2])), "c": conv, "output": nir.Output(np.array([1]))},
                   [("input", "c"), ("c", "output")])
    with pytest.raises(ModelError, match="'c'.*zero-size"):
        graph_from_nir(graph)


def test_cycle_without_state_is_refused_and_one_with_a_neuron_is_not():
    nodes = {"input": nir.Input(np.array([2])), "a": nir.Linear(np.eye(2)), "b": nir.Linear(np.eye(2)),
             "lif": lif(2), "output": nir.Output(np.array([2]))}
    stateless = _graph(nodes, [("input", "a"), ("a", "b"), ("b", "a"), ("b", "lif"), ("lif", "output")])
    with pytest.raises(ModelError, match="cycle with no neuron or Delay"):
        graph_from_nir(stateless)
    recurrent = _graph(nodes, [("input", "a"), ("a", "lif"), ("lif", "b"), ("b", "a"), ("lif", "output")])
    assert ("b", "a") in graph_from_nir(recurrent).edges


def test_pooling_with_no_shape_to_infer_from_is_refused():
    pool = nir.SumPool2d(kernel_size=np.array([2, 2]), stride=np.array([2, 2]), padding=np.array([0, 0]))
    graph = _graph({"input": nir.Input(np.array([4])), "p": pool, "q": nir.SumPool2d(np.array([1, 1]), np.array([1, 1]), np.array([0, 0])),
                    "output": nir.Output(np.array([4]))},
                   [("p", "q"), ("q", "p"), ("input", "output")])
    with pytest.raises(ModelError, match="cannot infer the input shape of p, q"):
        graph_from_nir(graph)


def test_truncated_hdf5_file_is_an_input_error(tmp_path):
    path = tmp_path / "full.nir"
    nir.write(path, nir.NIRGraph.from_list(nir.Input(np.array([2])), nir.Linear(np.ones((2, 2))), lif(2),
                                           nir.Output(np.array([2]))))
    data = path.read_bytes()
    for cut in (len(data) // 2, 2000, 100):
        truncated = tmp_path / f"cut{cut}.nir"
        truncated.write_bytes(data[:cut])
        with pytest.raises(InputError, match=f"cut{cut}.nir"):
            read_nir(truncated)
