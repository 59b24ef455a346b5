"""Data to FPGA: train the rate-coded MLP, deploy it to a UP5K, report accuracy next to resources."""

import json

import pytest
import yaml

from sc_neurocore.cli.app import main

from tests.conftest import REPO
from tests.eda.train_deploy import assert_fits_a_up5k_in_time, train_and_deploy

pytestmark = pytest.mark.eda

CONFIG = REPO / "examples" / "train_mlp_rate.yaml"


def test_trained_model_deploys_and_reports_its_accuracy(tmp_path, capsys):
    raw = yaml.safe_load(CONFIG.read_text())
    assert raw["encoding"]["kind"] == "rate"  # spike input: what the hardware's input port carries
    raw["epochs"], raw["quantisation"]["epochs"] = 12, 2  # a short run; the full one takes seconds more
    trained, model, test_set, build = train_and_deploy(raw, tmp_path, capsys)

    assert main(["report", build, "--model", model, "--input", test_set, "--json"]) == 0
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
    assert_fits_a_up5k_in_time(record)
