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


def test_export_reload_gives_identical_logits(tmp_path):
    model = SpikingTransformer(8, 8, 10, dim=16, heads=2, depth=2, seed=1)
    rng = np.random.default_rng(0)
    for p in model.parameters():  # away from the initial values, thresholds included
        p.value += rng.normal(0, 0.1, p.value.shape).astype(p.value.dtype)
    path = write_transformer_nir(model, tmp_path / "model.nir", {"test_accuracy": 0.5})
    plain = nir.read(str(path))
    assert plain.nodes["block1_attention"].metadata["sc_neurocore_op"] == "trained_ssa"
    graph = read_nir(path)
    kinds = {type(node) for node in graph.nodes.values()}
    assert {ops.TrainedPositionOp, ops.TrainedAttentionOp, ops.TokenReadoutOp} <= kinds
    x = _digits()
    want = model.forward(x)
    got = read_transformer(path).forward(x)
    assert got.dtype == want.dtype == np.float32
    assert np.array_equal(got, want)  # exact: the same float32 parameters and expressions
    assert np.ptp(want) > 0.1


def test_learnt_thresholds_travel_in_the_lif_nodes():
    model = SpikingTransformer(8, 8, 10, dim=16, heads=2, seed=2)
    model.blocks[0].attention.attn_lif.threshold.value[:] = np.linspace(0.5, 1.5, 16, dtype=np.float32)
    graph = transformer_graph(model)
    attention = graph.nodes["block0_attention"].op
    assert np.array_equal(attention.attn_lif.threshold.value, np.linspace(0.5, 1.5, 16, dtype=np.float32))


def test_train_writes_the_transformer_as_nir(tmp_path):
    cfg = validate_config({
        "model": {"type": "transformer", "dim": 8, "heads": 2, "mlp_ratio": 1},
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


def test_simulate_runs_the_exported_transformer(capsys, tmp_path):
    from sc_neurocore.cli.app import main

    model = SpikingTransformer(8, 8, 10, dim=16, heads=2, seed=4)
    path = write_transformer_nir(model, tmp_path / "model.nir")
    code = main(["simulate", str(path), "--steps", "4", "--batch", "3", "--rate", "0.4", "--json",
                 "--out", str(tmp_path / "run.npz")])
    out = capsys.readouterr().out
    assert code == 0
    assert "trained spiking transformer" in json.loads(out)["mode"]
    x = (np.random.default_rng(0).random((4, 3, 8, 8)) < 0.4).astype(np.float32)  # [T, B, tokens, P]
    assert np.array_equal(np.load(tmp_path / "run.npz")["output"], model.forward(x))
