"""`sc-neurocore deploy` of the NIR paper's N-MNIST CNN: snn_conv_core places and routes on a UP5K."""

import json

import pytest

from sc_neurocore.backends.cores.conv.layers import conv_cycle_bounds
from sc_neurocore.report.build_record import BUILD_REPORT
from sc_neurocore.cli.app import main

pytestmark = pytest.mark.eda


def test_cnn_routes_on_a_up5k_with_weights_and_membranes_in_spram(tmp_path, nir_paper, capsys):
    out = tmp_path / "cnn"
    model = nir_paper / "02_cnn" / "cnn_sinabs.nir"
    assert main(["deploy", str(model), "--target", "ice40", "--device", "up5k", "-o", str(out)]) == 0
    assert (out / "sc_top.bin").stat().st_size > 100_000
    record = json.loads((out / BUILD_REPORT).read_text())
    used = {row["name"]: row["used"] for row in record["resources"]}
    assert 0 < used["logic cells"] < 0.8 * 5280
    assert used["SPRAM"] == 3  # two weight banks (39584 weights, two per word) and the membranes (8970 neurons)
    assert used["EBR"] >= 3  # the spike bitmaps: 2312 input bits + 8970 neuron bits
    assert used["DSP"] <= 8 and used["IO"] <= 39
    (clock,) = record["fmax_mhz"].values()
    assert clock["achieved"] >= clock["constraint"]
    manifest = record["manifest"]
    assert manifest["core"] == "snn_conv_core" and "snn_conv_core.sv" in manifest["sources"]
    assert manifest["memories"]["weight_words"] == 39584 and manifest["memories"]["neurons"] == 8970
    # throughput at the achieved clock, from the core's cycle model (checked against Icarus in tests/cosim)
    throughput = record["throughput"]
    layers = [p["cycles_per_step"] for p in manifest["populations"]]
    fewest, most = conv_cycle_bounds(manifest["input_size"], layers)
    assert throughput["cycles_per_step"] == {"min": fewest, "max": most}
    assert throughput["steps_per_second"]["max"] == pytest.approx(clock["achieved"] * 1e6 / fewest)
    capsys.readouterr()
    assert main(["report", str(out)]) == 0
    shown = capsys.readouterr().out
    assert "snn_conv_core schedule" in shown and f"{fewest}" in shown
