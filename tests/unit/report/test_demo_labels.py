"""examples/make_demo_labels.py: a labelled set whose labels are the float model's classes on exactly the
spikes `report` rate-codes from it, so a report's float accuracy on it is 100 %."""

import subprocess
import sys

import numpy as np
import pytest

from sc_neurocore.report import make_report

from tests.conftest import REPO
from tests.unit.report.conftest import DEMO


@pytest.mark.parametrize("seed", [0, 3])
def test_the_labels_are_the_float_models_classes_on_what_report_simulates(fake_build, tmp_path, seed):
    out = tmp_path / "labelled.npz"
    subprocess.run([sys.executable, str(REPO / "examples" / "make_demo_labels.py"), str(out), "--samples", "12",
                    "--steps", "20", "--seed", str(seed)], check=True, capture_output=True)
    with np.load(out) as data:
        assert data["input"].shape == (12, 64) and data["labels"].shape == (12,)
        assert np.all((data["input"] >= 0) & (data["input"] <= 0.3))
    report = make_report(fake_build, DEMO, out, steps=20)
    assert report.accuracy.float_accuracy == 1.0
    assert report.accuracy.samples == 12
