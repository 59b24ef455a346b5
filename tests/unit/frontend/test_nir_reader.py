from dataclasses import dataclass

import h5py
import nir
import numpy as np
import pytest

from sc_neurocore.errors import InputError, ModelError, UnsupportedError
from sc_neurocore.frontend import graph_from_nir, read_nir
from sc_neurocore.ir import Conv2d, CubaLIF, LIF, Linear
from tests.netbuild import lif


def _chain(*nodes):
    return nir.NIRGraph.from_list(*nodes)


def test_reads_every_nir_paper_graph(nir_paper):
    braille = read_nir(nir_paper / "03_rnn" / "braille_noDelay_bias_zero.nir")
    assert isinstance(braille.nodes["lif1.lif"], CubaLIF)
    assert ("lif1.lif", "lif1.w_rec") in braille.edges and ("lif1.w_rec", "lif1.lif") in braille.edges
    rockpool = read_nir(nir_paper / "01_lif" / "lif_rockpool.nir")  # Output shaped [1,1,1]
    assert isinstance(rockpool.nodes["0_LinearTorch"], Linear)
    assert isinstance(read_nir(nir_paper / "01_lif" / "lif_norse.nir").nodes["1"], LIF)
    cnn = read_nir(nir_paper / "02_cnn" / "cnn_sinabs.nir")
    assert isinstance(cnn.nodes["0"], Conv2d) and cnn.nodes["0"].shape_out == (16, 16, 16)
    assert cnn.nodes["4"].input_shape == (16, 16, 16)  # SumPool2d: shape inferred from its predecessor


def test_unknown_node_type_lists_what_is_supported():
    @dataclass(eq=False)
    class Mystery(nir.NIRNode):
        size: int = 2

        def __post_init__(self):
            self.input_type = {"input": np.array([2])}
            self.output_type = {"output": np.array([2])}

    graph = nir.NIRGraph(nodes={"input": nir.Input(np.array([2])), "m": Mystery(), "output": nir.Output(np.array([2]))},
                         edges=[("input", "m"), ("m", "output")], type_check=False)
    with pytest.raises(UnsupportedError, match="'m' has NIR type Mystery.*supported: Input"):
        graph_from_nir(graph)


def test_missing_and_non_hdf5_files(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_nir(tmp_path / "absent.nir")
    bogus = tmp_path / "bogus.nir"
    bogus.write_text("not hdf5")
    with pytest.raises(InputError, match="not readable as HDF5"):
        read_nir(bogus)


def test_newer_nir_version_is_refused(tmp_path):
    path = tmp_path / "future.nir"
    nir.write(path, _chain(nir.Input(np.array([2])), nir.Linear(np.ones((2, 2))), lif(2), nir.Output(np.array([2]))))
    with h5py.File(path, "r+") as handle:
        del handle["version"]
        handle["version"] = np.bytes_("2.0.0")
    with pytest.raises(InputError, match="NIR 2.0.0"):
        read_nir(path)


def test_edge_naming_a_missing_node():
    graph = nir.NIRGraph(
        nodes={"input": nir.Input(np.array([2])), "lif": lif(2), "output": nir.Output(np.array([2]))},
        edges=[("input", "lif"), ("lif", "ghost"), ("lif", "output")],
        type_check=False,
    )
    with pytest.raises(ModelError, match="ghost"):
        graph_from_nir(graph)


@pytest.mark.parametrize(
    "node, message",
    [
        (lif(3, tau=np.array([0.002, np.nan, 0.002])), "NaN or inf"),
        (lif(3, tau=np.array([0.002, -1.0, 0.002])), "tau must be positive"),
    ],
)
def test_bad_parameters_name_the_node(node, message):
    graph = _chain(nir.Input(np.array([3])), nir.Linear(np.ones((3, 3))), node, nir.Output(np.array([3])))
    with pytest.raises(ModelError, match=message):
        graph_from_nir(graph)


def test_shape_mismatch_names_the_edge():
    graph = nir.NIRGraph(
        nodes={"input": nir.Input(np.array([4])), "w": nir.Linear(np.ones((3, 4))), "lif": lif(2),
               "output": nir.Output(np.array([2]))},
        edges=[("input", "w"), ("w", "lif"), ("lif", "output")],
        type_check=False,
    )
    with pytest.raises(ModelError, match="'w' -> 'lif'"):
        graph_from_nir(graph)


def test_nested_subgraph_is_flattened():
    inner = nir.NIRGraph(
        nodes={"in": nir.Input(np.array([2])), "lif": lif(2), "out": nir.Output(np.array([2]))},
        edges=[("in", "lif"), ("lif", "out")],
    )
    outer = nir.NIRGraph(
        nodes={"input": nir.Input(np.array([2])), "w": nir.Linear(np.eye(2)), "sub": inner,
               "output": nir.Output(np.array([2]))},
        edges=[("input", "w"), ("w", "sub"), ("sub", "output")],
        type_check=False,
    )
    graph = graph_from_nir(outer)
    assert set(graph.nodes) == {"input", "w", "sub.lif", "output"}
    assert sorted(graph.edges) == [("input", "w"), ("sub.lif", "output"), ("w", "sub.lif")]
