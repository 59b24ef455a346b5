"""Tutorial 54 runs as written and prints what it promises."""

import contextlib
import io
import re
import runpy
from pathlib import Path

TUTORIAL = Path(__file__).resolve().parents[3] / "examples" / "tutorial54.py"


def test_tutorial_prints_shapes_zero_multiplies_rates_and_steps():
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        runpy.run_path(str(TUTORIAL), run_name="__main__")
    text = output.getvalue()
    assert "Input: (10, 64)" in text
    assert "Output: (10, 64)" in text
    assert "Multiply ops in attention core: 0" in text
    rates = [float(r) for r in re.findall(r"^Spike rate: ([0-9.]+)$", text, re.M)]
    assert len(rates) == 2 and all(0 < r < 1 for r in rates)
    assert len(re.findall(r"^ t=(0|50|100|150): \d+(\.0)? spikes, state norm=\d+\.\d\d$", text, re.M)) == 4
    assert re.search(r"^Continuous: mean=0\.\d{3}, std=0\.\d{3}$", text, re.M)
