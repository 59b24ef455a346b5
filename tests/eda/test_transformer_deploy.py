"""The trained FPGA transformer (examples/train_transformer_fpga.yaml) places and routes on a UP5K; the
build report records its resources, Fmax, exact cycles per inference and its accuracy on the test split."""

import json

import pytest

from sc_neurocore.backends.cores.transformer.core import TransformerCore
from sc_neurocore.backends.cores.transformer.design import cycles_per_inference, transformer_layout
from sc_neurocore.backends.cores.transformer.fit import engine_ebr, engine_spram
from sc_neurocore.backends.deploy import deploy_core
from sc_neurocore.report.build_record import BUILD_REPORT
from sc_neurocore.training import SpikingTransformer
from sc_neurocore.sim.twins.transformer import FixedTransformer
from tests.cosim.test_transformer_cosim import train_fpga_transformer

pytestmark = pytest.mark.eda


def test_trained_transformer_routes_on_a_up5k_with_its_accuracy(tmp_path):
    model, data, steps = train_fpga_transformer(tmp_path / "train", epochs=40)
    core = TransformerCore.from_model(model, steps, test_set=(data.x_test, data.y_test))
    result = deploy_core(core, tmp_path / "build")
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
    result = deploy_core(TransformerCore.from_model(model), tmp_path / "build")
    record = json.loads((tmp_path / "build" / BUILD_REPORT).read_text())
    used = {row["name"]: row["used"] for row in record["resources"]}
    layout = transformer_layout(FixedTransformer.from_model(model))
    assert used["SPRAM"] == engine_spram(layout) == 4
    assert 0 < used["EBR"] <= engine_ebr(layout), "the estimate is an upper bound (yosys drops constant ROM bits)"
    assert 0 < used["logic cells"] < 0.6 * 5280 and used["IO"] <= 39
    (clock,) = record["fmax_mhz"].values()
    assert clock["achieved"] >= 12
    assert result.manifest["host_load"]["words"] == 82176 and result.manifest["memory_words"]["weight_spram_banks"] == 3
