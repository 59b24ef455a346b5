"""Block ops (attention variants, SSM, CPG) through NIR: plain nir.read loads the file, our reader
rebuilds the exact op (same arrays bit for bit, same hyper-parameters, same forward output)."""

import h5py
import nir
import numpy as np
import pytest

from sc_neurocore.errors import ModelError, UnsupportedError
from sc_neurocore.export import write_nir
from sc_neurocore.export.nir_blocks import OP_KEY, decode_block, encode_block
from sc_neurocore.frontend import read_nir
from sc_neurocore.ir import Affine, Graph, Input, Linear, Output
from sc_neurocore.sim.block_forward import block_forward
from sc_neurocore.sim.blocks import run_block_graph
from sc_neurocore.training.modules.attention_variants import TrainableA2OS2A, TrainableSDSA
from sc_neurocore.training.block_ops import attention_module, attention_op
from sc_neurocore.transformers import CPGPositionalEncoding, SpikeDrivenAttention, SpikyStateSpace
from sc_neurocore.transformers.cpg import cpg_encoder_op
from sc_neurocore.transformers.spikformer import spike_driven_attention_op
from sc_neurocore.transformers.ssm import spiky_state_space_op
from sc_neurocore.transformers.variant_ops import attention_variant_op

from tests.netbuild import single_op_graph, trained_attention_variant

D = 16
RNG = np.random.default_rng(7)
SEQ = RNG.random((6, 2, 5, D))  # [T, B, N, D]
SSM_IN = 3 * RNG.random((2, 30, D))  # [B, T, D]
TOKENS = RNG.random((3, 7, D))  # [B, N, D]
CASES = {
    "seed_attention": (lambda: spike_driven_attention_op(SpikeDrivenAttention(D, 4, 8, 0.05, 5)), TOKENS),
    "ssa": (lambda: attention_variant_op(trained_attention_variant("ssa", D, 4)), SEQ),
    "sdsa": (lambda: attention_variant_op(trained_attention_variant("sdsa", D, 4)), SEQ),
    "a2os2a": (lambda: attention_variant_op(trained_attention_variant("a2os2a", D, 4)), SEQ),
    "ssm_real": (lambda: spiky_state_space_op(SpikyStateSpace(D, 8, 0.5, 0.05, "s4d-real", 4)), SSM_IN),
    "ssm_lin": (lambda: spiky_state_space_op(SpikyStateSpace(D, 8, 0.5, 0.05, "s4d-lin", 4)), SSM_IN),
    "cpg_kuramoto": (lambda: cpg_encoder_op(CPGPositionalEncoding(D, 64, coupling=0.3, seed=2)), TOKENS),
    "cpg_pe": (lambda: cpg_encoder_op(CPGPositionalEncoding(D, 64, mode="cpg-pe")), TOKENS),
}


def _state(op) -> dict:
    """Every field of an op (arrays and hyper-parameters; dictionaries entry by entry)."""
    found = {}
    for name, value in vars(op).items():
        entries = value.items() if isinstance(value, dict) else [(None, value)]
        found.update({(name, key): entry for key, entry in entries})
    return found


def _assert_same_state(a, b):
    sa, sb = _state(a), _state(b)
    assert sa.keys() == sb.keys()
    for key, value in sa.items():
        if isinstance(value, np.ndarray):
            assert value.dtype == sb[key].dtype and value.shape == sb[key].shape, key
            assert np.array_equal(value, sb[key]), key  # bit for bit (no NaNs here)
        else:
            assert value == sb[key], key


@pytest.mark.parametrize("case", sorted(CASES))
def test_round_trip_rebuilds_the_exact_op(case, tmp_path):
    make, x = CASES[case]
    block = make()
    path = write_nir(single_op_graph(block), tmp_path / f"{case}.nir")
    plain = nir.read(str(path))  # a plain reader loads it, types checked
    assert plain.nodes["op"].metadata[OP_KEY] == block.KIND
    back = read_nir(path).nodes["op"]
    assert type(back) is type(block)
    _assert_same_state(block, back)
    want, got = block_forward(block)(x), block_forward(back)(x)
    assert want.dtype == got.dtype and np.array_equal(want, got)
    assert np.count_nonzero(want) > 0.05 * want.size  # the comparison sees activity


def test_block_subgraphs_mix_with_standard_nodes(tmp_path):
    rng = np.random.default_rng(1)
    nodes = {
        "input": Input((D,)), "scale_in": Affine(rng.normal(0, 1, (D, D)), rng.normal(1, 0.1, D)),
        "position": cpg_encoder_op(CPGPositionalEncoding(D, 32)), "attention": attention_variant_op(trained_attention_variant("ssa", D, 4)),
        "readout": Linear(rng.normal(0, 1, (4, D))), "output": Output((4,)),
    }
    edges = [("input", "scale_in"), ("scale_in", "position"), ("position", "attention"), ("attention", "readout"),
             ("readout", "output")]
    graph = Graph(nodes, edges).validate()
    path = write_nir(graph, tmp_path / "chain.nir")
    nir.read(str(path))
    back = read_nir(path)
    assert set(back.nodes) == set(nodes) and sorted(back.edges) == sorted(edges)
    want, got = run_block_graph(graph, SEQ), run_block_graph(back, SEQ)
    assert np.array_equal(want["output"], got["output"])
    assert np.count_nonzero(want["attention"]) > 0


def test_a_file_that_is_one_block_graph_reads_as_input_op_output(tmp_path):
    block = CASES["sdsa"][0]()
    nir.write(str(tmp_path / "op.nir"), encode_block(block))
    graph = read_nir(tmp_path / "op.nir")
    assert list(graph.nodes) == ["input", "block", "output"]
    x = CASES["sdsa"][1]
    assert np.array_equal(block_forward(graph.nodes["block"])(x), block_forward(block)(x))


def _encoded(case="ssa"):
    return encode_block(CASES[case][0]())


def test_unknown_kind_and_newer_version_are_refused():
    graph = _encoded()
    graph.metadata[OP_KEY] = "flash_attention"
    with pytest.raises(UnsupportedError, match="'flash_attention'.*known: spike_driven_attention"):
        decode_block(graph, "layer1")
    graph = _encoded()
    graph.metadata["version"] = 2
    with pytest.raises(UnsupportedError, match="version 2"):
        decode_block(graph, "layer1")


def test_malformed_block_subgraphs_name_the_node():
    graph = _encoded()
    del graph.nodes["proj_bn"]
    with pytest.raises(ModelError, match=r"node 'layer1' \(spikformer_ssa\): missing node .*proj_bn"):
        decode_block(graph, "layer1")
    graph = _encoded()
    graph.nodes["attn_lif"].v_threshold[3] += 1
    with pytest.raises(ModelError, match="attn_lif v_threshold must be one value"):
        decode_block(graph, "layer1")
    graph = _encoded()
    graph.nodes["q_bn"].weight[0, 1] = 0.5
    with pytest.raises(ModelError, match="diagonal Affine"):
        decode_block(graph, "layer1")
    graph = _encoded("cpg_pe")
    graph.metadata["table"] = graph.metadata["table"] + 1e-9
    with pytest.raises(ModelError, match="position table differs"):
        decode_block(graph, "pe")
    graph = _encoded("seed_attention")
    graph.metadata["num_heads"] = 5
    with pytest.raises(ModelError, match="not divisible by num_heads=5"):
        decode_block(graph, "attn")
    graph = _encoded()
    graph.nodes["k_lif"].tau = graph.nodes["k_lif"].tau + 1  # q, k and v are one qkv neuron
    with pytest.raises(ModelError, match="nodes of qkv must share tau and v_threshold"):
        decode_block(graph, "layer1")
    graph = _encoded("a2os2a")
    del graph.metadata["k_activation"]
    with pytest.raises(ModelError, match="a2os2a needs k_activation 'relu'"):
        decode_block(graph, "layer1")
    graph = _encoded("a2os2a")
    graph.nodes["attn_lif"].tau = graph.nodes["attn_lif"].tau * 2
    with pytest.raises(ModelError, match="attn and v neurons must share tau"):
        decode_block(graph, "layer1")


def test_read_nir_names_a_broken_block_in_a_file(tmp_path):
    path = write_nir(single_op_graph(CASES["ssm_real"][0]()), tmp_path / "ssm.nir")
    with h5py.File(path, "r+") as handle:
        del handle["node/nodes/op/metadata/dt"]
    with pytest.raises(ModelError, match=r"ssm.nir: node 'op' \(spiky_state_space\): missing .*'dt'"):
        read_nir(path)


def _trained_variant(kind, seed=0):
    """A trained-style SDSA or A²OS²A module with every parameter moved off its initial value, and its op."""
    rng = np.random.default_rng(seed)
    if kind == "trained_sdsa":
        module = TrainableSDSA(D, rng=rng)
    else:
        module = TrainableA2OS2A(D, 4, rng=rng, scale=0.5, threshold=0.5, attn_threshold=0.25)  # low: active output
    for p in module.parameters():
        p.value += rng.normal(0, 0.1, p.value.shape).astype(p.value.dtype)
    return module, attention_op(module)


TRAINED_SEQ = (RNG.random((4, 3, 8, D)) < 0.3).astype(np.float32)  # [T, B, N, D] spikes


def _assert_same_arrays(want: dict, got: dict):
    assert want.keys() == got.keys()
    for key, value in want.items():
        assert value.dtype == got[key].dtype and np.array_equal(value, got[key]), key


@pytest.mark.parametrize("kind", ["trained_sdsa", "trained_a2os2a"])
def test_trained_variants_round_trip_exactly(kind, tmp_path):
    module, block = _trained_variant(kind)
    path = write_nir(single_op_graph(block), tmp_path / f"{kind}.nir")
    plain = nir.read(str(path))  # a plain reader loads it, types checked
    assert plain.nodes["op"].metadata[OP_KEY] == kind
    assert {type(n).__name__ for n in plain.nodes["op"].nodes.values()} >= {"Affine", "LIF"}
    back = read_nir(path).nodes["op"]
    assert type(back) is type(block)
    for field in ("weights", "biases", "taus", "thresholds"):
        _assert_same_arrays(getattr(block, field), getattr(back, field))
    assert getattr(back, "num_heads", None) == getattr(block, "num_heads", None)
    assert getattr(back, "scale", None) == getattr(block, "scale", None)
    rebuilt = attention_module(back, "op")
    assert type(rebuilt) is type(module)
    _assert_same_arrays(module.state_dict(), rebuilt.state_dict())
    want, got = module.forward(TRAINED_SEQ), rebuilt.forward(TRAINED_SEQ)
    assert want.dtype == got.dtype == np.float32 and np.array_equal(want, got)
    assert np.count_nonzero(want) > 0.05 * want.size  # the comparison sees activity


def test_trained_ops_are_data_that_run_in_their_model():
    _, block = _trained_variant("trained_sdsa")
    with pytest.raises(UnsupportedError, match="trained_sdsa op is data: .*simulate_trained_ops"):
        run_block_graph(single_op_graph(block), TRAINED_SEQ)


def test_malformed_trained_variants_name_the_node():
    graph = encode_block(_trained_variant("trained_a2os2a")[1])
    del graph.metadata["v_neuron"]
    with pytest.raises(ModelError, match=r"node 'attn' \(trained_a2os2a\): .*v_neuron 'ternary'"):
        decode_block(graph, "attn")
    graph = encode_block(_trained_variant("trained_sdsa")[1])
    graph.nodes["kv_lif"].tau = graph.nodes["kv_lif"].tau * 2
    with pytest.raises(ModelError, match=r"attn: .*must share one tau"):
        attention_module(decode_block(graph, "attn"), "attn")
    graph = encode_block(_trained_variant("trained_sdsa")[1])
    del graph.nodes["proj"]
    with pytest.raises(ModelError, match=r"node 'attn' \(trained_sdsa\): missing node .*proj"):
        decode_block(graph, "attn")
