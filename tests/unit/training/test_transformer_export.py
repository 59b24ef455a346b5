"""The trained SpikingTransformer as NIR with extension ops: a plain nir.read loads it, our loader
rebuilds the model and reproduces its logits bit for bit on digits samples."""

import json

import nir
import numpy as np
import pytest

from sc_neurocore.errors import InputError
from sc_neurocore.frontend import read_nir
from sc_neurocore.ir import blocks as ops
from sc_neurocore.training import SpikingTransformer, encode, load_digits_split
from sc_neurocore.training.config import validate_config
from sc_neurocore.training.export import read_transformer, transformer_graph, write_transformer_nir
from sc_neurocore.training.run import build_model, load_data, run_training
from sc_neurocore.training.trainer import evaluate


def _digits(count=32):
    data = load_digits_split()
    return encode(data.x_test[:count], "direct", 4, None, data.image_shape)


ATTENTION_OPS = {"ssa": ops.TrainedAttentionOp, "sdsa": ops.TrainedChannelAttentionOp,
                 "a2os2a": ops.TrainedAdditionAttentionOp}


def _perturbed(attention, seed=1):
    model = SpikingTransformer(8, 8, 10, dim=16, heads=2, depth=2, seed=seed, attention=attention)
    rng = np.random.default_rng(0)
    for p in model.parameters():  # away from the initial values, thresholds included
        p.value += rng.normal(0, 0.1, p.value.shape).astype(p.value.dtype)
    return model


@pytest.mark.parametrize("attention", sorted(ATTENTION_OPS))
def test_export_reload_gives_identical_logits(attention, tmp_path):
    model = _perturbed(attention)
    path = write_transformer_nir(model, tmp_path / "model.nir", {"test_accuracy": 0.5})
    plain = nir.read(str(path))  # a plain reader loads it, types checked
    assert plain.metadata["attention"] == attention
    assert plain.nodes["block1_attention"].metadata["sc_neurocore_op"] == ATTENTION_OPS[attention].KIND
    graph = read_nir(path)
    kinds = {type(node) for node in graph.nodes.values()}
    assert {ops.TrainedPositionOp, ATTENTION_OPS[attention], ops.TokenReadoutOp} <= kinds
    x = _digits()
    want = model.forward(x)
    reloaded = read_transformer(path)
    got = reloaded.forward(x)
    assert reloaded.attention_kind == attention
    assert got.dtype == want.dtype == np.float32
    assert np.array_equal(got, want)  # exact: the same float32 parameters and expressions
    assert np.ptp(want) > 0.1
    for block, back in zip(model.blocks, reloaded.blocks):  # every attention parameter, bit for bit
        assert type(back.attention) is type(block.attention)
        want_state, got_state = block.attention.state_dict(), back.attention.state_dict()
        assert want_state.keys() == got_state.keys()
        assert all(np.array_equal(want_state[k], got_state[k]) for k in want_state)


def test_the_attention_output_matters_to_the_logits(tmp_path):
    """The bit-exact comparison above sees the attention: zeroing its output projection moves the logits."""
    for attention in ("sdsa", "a2os2a"):
        model = _perturbed(attention)
        x = _digits()
        want = model.forward(x)
        for block in model.blocks:
            out = getattr(block.attention, "W_proj", None) or block.attention.W_out
            out.weight.value[...] = 0
        assert not np.array_equal(model.forward(x), want), attention


def test_a2os2a_keeps_its_ternary_v_neuron_and_relu_tag(tmp_path):
    from sc_neurocore.training.modules.attention_variants import TernaryLIF

    path = write_transformer_nir(_perturbed("a2os2a"), tmp_path / "model.nir")
    meta = nir.read(str(path)).nodes["block0_attention"].metadata
    assert (meta["v_neuron"], meta["k_activation"], int(meta["num_heads"])) == ("ternary", "relu", 2)
    assert type(read_transformer(path).blocks[0].attention.v_lif) is TernaryLIF


def test_metadata_and_ops_must_agree(tmp_path):
    from sc_neurocore.errors import ModelError
    from sc_neurocore.training.export import transformer_from_graph

    graph = transformer_graph(_perturbed("sdsa"))
    graph.metadata["attention"] = "a2os2a"
    with pytest.raises(ModelError, match="block0_attention is trained_sdsa, but the metadata says attention "
                                         "'a2os2a'"):
        transformer_from_graph(graph)


@pytest.mark.parametrize("attention", ["sdsa", "a2os2a"])
def test_the_engine_and_deploy_refuse_other_attention_in_one_line(attention, capsys, tmp_path):
    from sc_neurocore.cli.app import main
    from sc_neurocore.errors import UnsupportedError
    from sc_neurocore.sim.twins.transformer import FixedTransformer

    model = _perturbed(attention)
    with pytest.raises(UnsupportedError, match=f"supports attention 'ssa' only, not '{attention}'"):
        FixedTransformer.from_model(model)
    path = write_transformer_nir(model, tmp_path / "model.nir")
    code = main(["deploy", str(path), "-o", str(tmp_path / "build")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip() == (f"error: the FPGA transformer engine supports attention 'ssa' only, "
                           f"not '{attention}'")
    assert not (tmp_path / "build").exists()


def test_learnt_thresholds_travel_in_the_lif_nodes():
    model = SpikingTransformer(8, 8, 10, dim=16, heads=2, seed=2)
    model.blocks[0].attention.attn_lif.threshold.value[:] = np.linspace(0.5, 1.5, 16, dtype=np.float32)
    graph = transformer_graph(model)
    attention = graph.nodes["block0_attention"]
    assert np.array_equal(attention.thresholds["attn_lif"], np.linspace(0.5, 1.5, 16, dtype=np.float32))


@pytest.mark.parametrize("attention", sorted(ATTENTION_OPS))
def test_train_writes_the_transformer_as_nir(attention, tmp_path):
    cfg = validate_config({
        "model": {"type": "transformer", "dim": 8, "heads": 2, "mlp_ratio": 1, "attention": attention},
        "encoding": {"kind": "direct", "steps": 4}, "epochs": 1, "batch_size": 64, "output": str(tmp_path / "out"),
    })
    result = run_training(cfg)
    data = load_data(cfg)
    trained = build_model(cfg, data)
    with np.load(result.files["checkpoint"]) as archive:
        trained.load_state_dict({k[6:]: archive[k] for k in archive.files if k.startswith("param/")})
    reloaded = read_transformer(result.files["nir"])
    x = encode(data.x_test[:40], "direct", 4, None, data.image_shape)
    assert np.array_equal(reloaded.forward(x), trained.forward(x))
    metrics = json.loads(open(result.files["metrics"]).read())
    assert evaluate(reloaded, data, "direct", 4, cfg["seed"]) == metrics["test_accuracy"]
    assert nir.read(result.files["nir"]).metadata["test_accuracy"] == metrics["test_accuracy"]
    with np.load(result.files["test_set"]) as test_set:  # direct encoding: the test split as features
        assert np.array_equal(test_set["labels"], data.y_test)


def test_a_plain_graph_is_not_a_transformer(tmp_path):
    from tests.netbuild import two_layer

    path = tmp_path / "mlp.nir"
    nir.write(str(path), two_layer("LIF", "LIF"))
    with pytest.raises(InputError, match="mlp.nir: the graph is not a spiking transformer"):
        read_transformer(path)


def test_readout_op_is_the_models_head():
    model = SpikingTransformer(8, 8, 10, dim=16, heads=2, seed=3)
    readout = transformer_graph(model).nodes["readout"]
    s = (np.random.default_rng(1).random((4, 5, 8, 16)) < 0.3).astype(np.float32)  # [T, B, L, D] spikes
    assert np.array_equal(readout.forward(s), model.head.forward(s.mean(axis=0).reshape(5, -1)))


@pytest.mark.parametrize("attention", sorted(ATTENTION_OPS))
def test_simulate_runs_the_exported_transformer(attention, capsys, tmp_path):
    from sc_neurocore.cli.app import main

    model = SpikingTransformer(8, 8, 10, dim=16, heads=2, seed=4, attention=attention)
    path = write_transformer_nir(model, tmp_path / "model.nir")
    code = main(["simulate", str(path), "--steps", "4", "--batch", "3", "--rate", "0.4", "--json",
                 "--out", str(tmp_path / "run.npz")])
    out = capsys.readouterr().out
    assert code == 0
    assert "trained spiking transformer" in json.loads(out)["mode"]
    x = (np.random.default_rng(0).random((4, 3, 8, 8)) < 0.4).astype(np.float32)  # [T, B, tokens, P]
    assert np.array_equal(np.load(tmp_path / "run.npz")["output"], model.forward(x))


def test_simulate_takes_trains_test_set_of_features(capsys, tmp_path):
    """`simulate model.nir --input test_set.npz`: [B, 64] features, direct-encoded over the file's steps."""
    from sc_neurocore.cli.app import main

    model = SpikingTransformer(8, 8, 10, dim=16, heads=2, seed=4)
    path = write_transformer_nir(model, tmp_path / "model.nir", {"steps": 3})
    features = np.random.default_rng(2).random((5, 64)).astype(np.float32)
    np.savez(tmp_path / "test_set.npz", input=features, labels=np.zeros(5, np.int64))
    code = main(["simulate", str(path), "--input", str(tmp_path / "test_set.npz"), "--out", str(tmp_path / "run.npz")])
    assert code == 0, capsys.readouterr().err
    expected = model.forward(encode(features, "direct", 3, np.random.default_rng(0)))
    assert np.array_equal(np.load(tmp_path / "run.npz")["output"], expected)
