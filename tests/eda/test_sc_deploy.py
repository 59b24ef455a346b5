"""`sc-neurocore deploy --arith sc`: a 64 -> 32 LIF layer with stochastic synapses routes on a UP5K."""

import json

import nir
import numpy as np
import pytest

from sc_neurocore.report.build_record import BUILD_REPORT
from sc_neurocore.cli.app import main

pytestmark = pytest.mark.eda


def _layer(path):
    rng = np.random.default_rng(5)
    nir.write(path, nir.NIRGraph.from_list(
        nir.Input(np.array([64])),
        nir.Affine(rng.normal(0, 0.25, (32, 64)), rng.normal(0, 0.02, 32)),
        nir.LIF(tau=np.full(32, 3e-3), r=np.ones(32), v_leak=np.zeros(32), v_threshold=np.full(32, 0.05),
                v_reset=np.zeros(32)),
        nir.Output(np.array([32])),
    ))
    return path


def test_sc_layer_routes_on_a_up5k(tmp_path, capsys):
    model, out = _layer(tmp_path / "layer.nir"), tmp_path / "sc"
    assert main(["deploy", str(model), "--arith", "sc", "--stream-length", "256", "-o", str(out)]) == 0
    record = json.loads((out / BUILD_REPORT).read_text())
    used = {row["name"]: row["used"] for row in record["resources"]}
    assert 0 < used["logic cells"] < 0.8 * 5280
    assert used["flip-flops"] >= 16 * 16  # one 16-bit LFSR per lane: the streams are really there
    assert used["EBR"] >= 2 and used["IO"] <= 39
    (clock,) = record["fmax_mhz"].values()
    assert clock["achieved"] >= clock["constraint"]
    manifest = record["manifest"]
    assert manifest["arith"] == "sc" and manifest["sc"]["stream_length"] == 256
    assert manifest["provenance"]["options"]["arith"] == "sc"
    assert "snn_sc_core.sv" in manifest["sources"] and (out / "sc_top.bin").stat().st_size > 100_000
    capsys.readouterr()
    # The report simulates an SC build with its streams and times it with the SC core's cycle model.
    assert main(["report", str(out), "--model", str(model), "--steps", "20"]) == 0
    shown = capsys.readouterr().out
    assert "snn_sc_core schedule" in shown and "stochastic streams" in shown and "time / inference" in shown
