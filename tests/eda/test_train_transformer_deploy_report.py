"""Data to FPGA for the spiking transformer: train, deploy train's model.nir to a UP5K, report the
engine's accuracy next to its resources."""

import json

import pytest
import yaml

from sc_neurocore.cli.app import main

from tests.conftest import REPO
from tests.eda.train_deploy import assert_fits_a_up5k_in_time, train_and_deploy

pytestmark = pytest.mark.eda

CONFIG = REPO / "examples" / "train_transformer.yaml"  # dim 96: the accuracy model, weights in SPRAM


def test_trained_transformer_deploys_and_reports_its_accuracy(tmp_path, capsys):
    raw = yaml.safe_load(CONFIG.read_text())
    raw["epochs"] = 6  # a short run: the accuracy check below is loose
    trained, model, test_set, build = train_and_deploy(raw, tmp_path, capsys)

    assert main(["report", build, "--model", model, "--input", test_set]) == 0
    table = capsys.readouterr().out
    assert "accuracy on 539 samples" in table and "logic cells" in table
    assert "cycles to stream the weights into SPRAM" in table  # the one-off load, beside the inference time

    assert main(["report", build, "--model", model, "--input", test_set, "--json"]) == 0
    (record,) = json.loads(capsys.readouterr().out)["builds"]
    assert record["manifest"]["block"] == "spiking_transformer"
    accuracy = record["workload"]["accuracy"]
    assert accuracy["samples"] == 539  # the whole digits test split
    assert accuracy["hardware"] > 0.8  # chance is 0.10
    # the engine's integer twin is what training scored as fixed point, on the same split
    assert accuracy["hardware"] == pytest.approx(trained["metrics"]["fixed_test_accuracy"])
    assert accuracy["float"] == pytest.approx(trained["metrics"]["test_accuracy"])
    assert_fits_a_up5k_in_time(record)

    other = tmp_path / "other.nir"  # a model that did not produce this build is refused
    other.write_bytes(open(model, "rb").read() + b"\0")
    assert main(["report", build, "--model", str(other), "--input", test_set]) == 2
