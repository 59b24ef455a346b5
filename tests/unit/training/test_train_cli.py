"""End to end: a few training steps lower the loss; configuration errors; the train command."""

import json

import numpy as np
import pytest
import typer
import yaml
from typer.testing import CliRunner

from sc_neurocore.errors import InputError
from sc_neurocore.training import Adam, SpikingMLPClassifier, SpikingTransformer, cross_entropy, encode, load_digits_split
from sc_neurocore.training.config import validate_config
from sc_neurocore.cli.commands import train


@pytest.mark.parametrize("make", [lambda: SpikingMLPClassifier([64, 32, 10], seed=0),
                                  lambda: SpikingTransformer(8, 8, 10, dim=16, heads=2, seed=0)])
def test_a_few_steps_lower_the_loss(make):
    data = load_digits_split()
    x = encode(data.x_train[:128], "direct", 4, None)
    y = data.y_train[:128]
    model = make()
    opt = Adam(model.parameters(), lr=5e-3)
    losses = []
    for _ in range(15):
        model.zero_grad()
        loss, grad = cross_entropy(model.forward(x), y)
        model.backward(grad)
        opt.step()
        losses.append(loss)
    assert losses[-1] < 0.7 * losses[0]


@pytest.mark.parametrize("raw,match", [
    ({"model": {"sizez": [1]}}, r"'model.sizez': unknown key"),
    ({"optimiser": {"lr": -1}}, r"'optimiser.lr': expected a positive number"),
    ({"epochs": 2.5}, r"'epochs': expected an integer"),
    ({"encoding": {"kind": "morse"}}, r"'encoding.kind': 'morse' is not one of"),
    ({"model": {"type": "transformer", "dim": 10, "heads": 4}}, r"'model.heads': must divide"),
    ({"model": {"type": "ssm"}}, r"'encoding.kind': the ssm model reads sequences"),
    ({"model": {"learn_threshold": "yes"}}, r"'model.learn_threshold': expected true or false"),
    ({"data": {"source": "missing.npz"}}, r"'data.source'"),
    ({"model": {"sizes": [64, 0, 10]}}, r"'model.sizes': expected a list of positive integers"),
])
def test_config_errors_name_the_key(raw, match):
    with pytest.raises(InputError, match=match):
        validate_config(raw)


def test_config_defaults():
    cfg = validate_config({"epochs": 3})
    assert cfg["epochs"] == 3 and cfg["model"]["type"] == "mlp" and cfg["encoding"]["steps"] == 8


def _app():
    app = typer.Typer()
    app.command(name="train")(train.command)
    app.command(name="other")(lambda: None)  # keeps "train" a subcommand
    return app


def test_train_command_writes_outputs_and_resumes(tmp_path):
    import nir

    config = tmp_path / "c.yaml"
    out = tmp_path / "out"
    config.write_text(yaml.safe_dump({
        "model": {"sizes": [64, 16, 10]}, "epochs": 2, "batch_size": 128, "encoding": {"steps": 4},
        "quantisation": {"enabled": True, "epochs": 1}, "output": str(out)}))
    runner = CliRunner()
    first = runner.invoke(_app(), ["train", str(config), "--json"])
    assert first.exit_code == 0, first.output
    result = json.loads(first.output)
    assert set(result["files"]) == {"checkpoint", "curve", "nir", "metrics"}
    metrics = json.loads((out / "metrics.json").read_text())
    assert [r["phase"] for r in metrics["history"]] == ["float", "float", "qat"]
    assert 0 <= metrics["fixed_test_accuracy"] <= 1
    graph = nir.read(str(out / "model.nir"))
    assert graph.metadata["dt"] == pytest.approx(1e-4)
    # a finished run is not overwritten without --force; --resume with nothing left to do reuses it
    again = runner.invoke(_app(), ["train", str(config), "--json"])
    assert isinstance(again.exception, InputError)
    resumed = runner.invoke(_app(), ["train", str(config), "--json", "--resume"])
    assert resumed.exit_code == 0, resumed.output
    assert json.loads(resumed.output)["metrics"]["epochs"] == 3
    np.testing.assert_allclose(json.loads(resumed.output)["metrics"]["test_accuracy"],
                               result["metrics"]["test_accuracy"])


def test_resume_continues_an_interrupted_run(tmp_path):
    from sc_neurocore.training.run import run_training

    base = {"model": {"sizes": [64, 16, 10]}, "batch_size": 128, "encoding": {"steps": 4},
            "optimiser": {"schedule": "constant"}, "output": str(tmp_path / "a")}
    full = run_training(validate_config(dict(base, epochs=3))).metrics
    run_training(validate_config(dict(base, epochs=2, output=str(tmp_path / "b"))))
    resumed = run_training(validate_config(dict(base, epochs=3, output=str(tmp_path / "b"))), resume=True).metrics
    assert [r["epoch"] for r in resumed["history"]] == [1, 2, 3]
    assert resumed["history"][-1]["loss"] == pytest.approx(full["history"][-1]["loss"], rel=1e-5)
