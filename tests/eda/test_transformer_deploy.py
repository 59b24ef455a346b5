"""The trained FPGA transformer (examples/train_transformer_fpga.yaml) places and routes on a UP5K; the
build report records its resources, Fmax, exact cycles per inference and its accuracy on the test split."""

import json

import numpy as np
import pytest

from sc_neurocore.backends.deploy import BUILD_REPORT
from sc_neurocore.backends.transformer_deploy import check_transformer_fit, deploy_transformer, engine_ebr, engine_spram
from sc_neurocore.backends.transformer_systemverilog import cycles_per_inference, transformer_layout
from sc_neurocore.errors import FitError, InputError
from sc_neurocore.training import SpikingTransformer
from sc_neurocore.sim.twins.transformer import FixedTransformer
from tests.cosim.test_transformer_cosim import train_fpga_transformer

pytestmark = pytest.mark.eda


def test_trained_transformer_routes_on_a_up5k_with_its_accuracy(tmp_path):
    model, data, steps = train_fpga_transformer(tmp_path / "train", epochs=40)
    result = deploy_transformer(model, tmp_path / "build", test_set=(data.x_test, data.y_test), steps=steps)
    record = json.loads((tmp_path / "build" / BUILD_REPORT).read_text())
    used = {row["name"]: row["used"] for row in record["resources"]}
    assert 0 < used["logic cells"] < 0.8 * 5280 and used["IO"] <= 39
    layout = transformer_layout(FixedTransformer.from_model(model))
    assert used["EBR"] <= engine_ebr(layout) <= 8, "biases, thresholds and spike tables: the weights left EBR"
    assert used["SPRAM"] == engine_spram(layout) == 2, "membranes, pixels and scores; the 11 k weights"
    (clock,) = record["fmax_mhz"].values()
    assert clock["achieved"] >= 12
    manifest = record["manifest"]
    fixed = FixedTransformer.from_model(model)
    assert manifest["cycles_per_inference"] == cycles_per_inference(transformer_layout(fixed), steps)
    assert manifest["weight_load_cycles"] == manifest["host_load"]["words"] == len(layout.weights)
    accuracy = manifest["accuracy"]
    assert accuracy["samples"] == len(data.y_test) and accuracy["hardware"] >= 0.93
    assert abs(accuracy["float"] - accuracy["hardware"]) <= 0.01, "within one point of the float model"
    assert result.report.bitstream.stat().st_size > 100_000


def test_the_dim_96_engine_routes_with_its_weights_in_three_sprams(tmp_path):
    """examples/train_transformer.yaml's shape (untrained: the build does not depend on the values' accuracy)."""
    model = SpikingTransformer(8, 8, 10, dim=96, heads=4, seed=3)
    result = deploy_transformer(model, tmp_path / "build")
    record = json.loads((tmp_path / "build" / BUILD_REPORT).read_text())
    used = {row["name"]: row["used"] for row in record["resources"]}
    layout = transformer_layout(FixedTransformer.from_model(model))
    assert used["SPRAM"] == engine_spram(layout) == 4
    assert 0 < used["EBR"] <= engine_ebr(layout), "the estimate is an upper bound (yosys drops constant ROM bits)"
    assert 0 < used["logic cells"] < 0.6 * 5280 and used["IO"] <= 39
    (clock,) = record["fmax_mhz"].values()
    assert clock["achieved"] >= 12
    assert result.manifest["host_load"]["words"] == 82176 and result.manifest["memory_words"]["weight_spram_banks"] == 3


def test_the_dim_96_transformer_fits_a_up5k_and_larger_ones_say_why():
    layout = transformer_layout(FixedTransformer.from_model(SpikingTransformer(8, 8, 10, dim=96, heads=4)))
    check_transformer_fit(layout)  # 82 k weights in three SPRAMs, the fourth for membranes, pixels, scores
    assert engine_spram(layout) == 4 and engine_ebr(layout) <= 30
    big = transformer_layout(FixedTransformer.from_model(SpikingTransformer(8, 8, 10, dim=128, heads=4)))
    with pytest.raises(FitError, match=r"needs 6 SPRAM for 142336 weights .*\(has 4\); train a smaller model"):
        check_transformer_fit(big)
    with pytest.raises(FitError, match=r"needs 4 SPRAM .*\(has 0\)"):
        check_transformer_fit(layout, "hx8k")


def test_deploy_refuses_other_models(tmp_path):
    with pytest.raises(InputError, match="needs a SpikingTransformer"):
        deploy_transformer(object(), tmp_path / "x")
    model = SpikingTransformer(8, 8, 10, dim=16, heads=2)
    with pytest.raises(InputError, match="test_set: expected features"):
        deploy_transformer(model, tmp_path / "y", test_set=(np.zeros(4), np.zeros(4)))
