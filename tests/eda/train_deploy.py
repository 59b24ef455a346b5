"""Data to FPGA, the steps the train-deploy-report tests share."""

import json

import yaml

from sc_neurocore.cli.app import main


def train_and_deploy(raw: dict, tmp_path, capsys) -> tuple[dict, str, str, str]:
    """Train the config ``raw`` under ``tmp_path`` and deploy its model.nir to a UP5K:
    (train's JSON, the model, the test set, the build directory)."""
    raw["output"] = str(tmp_path / "train")
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump(raw))
    assert main(["train", str(config), "--json"]) == 0
    trained = json.loads(capsys.readouterr().out)
    build = str(tmp_path / "build")
    assert main(["deploy", trained["files"]["nir"], "--target", "ice40", "--device", "up5k", "-o", build]) == 0
    capsys.readouterr()
    return trained, trained["files"]["nir"], trained["files"]["test_set"], build


def assert_fits_a_up5k_in_time(record: dict) -> None:
    """The build record's resources fit a UP5K and its clock meets the constraint."""
    used = {row["name"]: row["used"] for row in record["build"]["resources"]}
    assert 0 < used["logic cells"] < 5280 and 0 < used["EBR"] <= 30
    (clock,) = record["build"]["fmax_mhz"].values()
    assert clock["achieved"] >= clock["constraint"]
