"""Data to FPGA: train the rate-coded MLP, deploy it to a UP5K, report accuracy next to resources."""

import json

import pytest
import yaml

from sc_neurocore.cli.app import main

from tests.conftest import REPO

pytestmark = pytest.mark.eda

CONFIG = REPO / "examples" / "train_mlp_rate.yaml"


def test_trained_model_deploys_and_reports_its_accuracy(tmp_path, capsys):
    raw = yaml.safe_load(CONFIG.read_text())
    assert raw["encoding"]["kind"] == "rate"  # spike input: what the hardware's input port carries
    raw["output"] = str(tmp_path / "train")
    raw["epochs"], raw["quantisation"]["epochs"] = 12, 2  # a short run; the full one takes seconds more
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump(raw))

    assert main(["train", str(config), "--json"]) == 0
    trained = json.loads(capsys.readouterr().out)
    model, test_set = trained["files"]["nir"], trained["files"]["test_set"]

    build = tmp_path / "build"
    assert main(["deploy", model, "--target", "ice40", "--device", "up5k", "-o", str(build)]) == 0
    capsys.readouterr()

    assert main(["report", str(build), "--model", model, "--input", test_set, "--json"]) == 0
    (record,) = json.loads(capsys.readouterr().out)["builds"]
    accuracy = record["workload"]["accuracy"]
    assert accuracy["samples"] == 539  # the whole digits test split (30 %)
    assert accuracy.get("arith", "fixed") == "fixed"
    fixed = accuracy["hardware"] if "hardware" in accuracy else accuracy["fixed"]  # the row's newer and older name
    assert fixed > 0.85  # chance is 0.10
    assert abs(accuracy["float"] - fixed) <= 0.03
    # the report's fixed-point executor is the one training scored: same spikes, same answer
    assert fixed == pytest.approx(trained["metrics"]["fixed_test_accuracy"])

    assert record["build"]["device"] == "up5k"
    used = {row["name"]: row["used"] for row in record["build"]["resources"]}
    assert 0 < used["logic cells"] < 5280 and 0 < used["EBR"] <= 30
    (clock,) = record["build"]["fmax_mhz"].values()
    assert clock["achieved"] >= clock["constraint"]
