"""Report data from a build directory and its model: activity, energy, accuracy, comparison, schema."""

import json
import jsonschema
import numpy as np
import pytest

from sc_neurocore.report.build_record import BUILD_REPORT
from sc_neurocore.errors import InputError
from sc_neurocore.passes.pipeline import load_quantised
from sc_neurocore.report import (
    E_AC_PJ, E_MAC_PJ, CoreShape, compare, cycle_bounds, estimate_energy, make_report, report_document,
)
from sc_neurocore.report.activity import event_counts
from sc_neurocore.sim import run_fixed

from .conftest import DEMO


def test_without_a_model_the_report_has_the_throughput_bounds(fake_build):
    report = make_report(fake_build)
    assert report.activity is None and report.energy is None
    shape = CoreShape.from_manifest(report.build.manifest)
    assert (report.throughput.min_cycles_per_step, report.throughput.max_cycles_per_step) == cycle_bounds(shape)
    assert report.throughput.fmax_mhz == pytest.approx(79.745, abs=1e-3)
    assert report.throughput.measured_steps_per_second is None


def test_with_the_model_activity_and_energy_come_from_the_fixed_executor(fake_build):
    report = make_report(fake_build, DEMO, steps=30, rate=0.2, seed=4)
    layers = {layer.name: layer for layer in report.activity.layers}
    assert list(layers) == ["input", "lif1", "lif2"]
    assert layers["input"].size == 64 and 0.1 < layers["input"].rate < 0.3
    assert layers["lif1"].spikes > 0, "the demo must fire on this input, or the checks prove little"
    assert layers["lif1"].rate_hz == pytest.approx(layers["lif1"].rate / 1e-4)
    raster = {row.name: row for row in report.activity.raster}
    assert len(raster["lif1"].steps) == layers["lif1"].spikes  # batch 1: the raster holds every spike
    energy = report.energy
    # every input spike reaches 32 lif1 neurons, every lif1 spike 10 lif2 neurons
    assert energy.synaptic_acs == layers["input"].spikes * 32 + layers["lif1"].spikes * 10
    assert energy.ann_macs == 64 * 32 + 32 * 10
    assert energy.neuron_macs == 30 * 42
    assert energy.snn_synaptic_nj == pytest.approx(energy.synaptic_acs * E_AC_PJ / 1000)
    assert energy.ann_nj == pytest.approx(energy.ann_macs * E_MAC_PJ / 1000)
    assert report.throughput.steps_per_inference == 30
    assert report.throughput.min_cycles_per_step < report.throughput.mean_cycles_per_step
    assert report.throughput.mean_cycles_per_step < report.throughput.max_cycles_per_step


def test_recurrent_events_are_delivered_one_step_late(nir_paper):
    _, qnet = load_quantised(nir_paper / "03_rnn" / "braille_noDelay_noBias_subtract.nir")
    spikes = (np.random.default_rng(0).random((20, 2, qnet.input_size)) < 0.5).astype(int)
    events = event_counts(qnet, spikes, run_fixed(qnet, spikes))
    hidden = next(p for p in qnet.populations if any(q.recurrent for q in p.projections))
    assert events[hidden.name].sum() > 0
    expected = 0.0
    for pop in qnet.populations:
        for proj in pop.projections:
            counts = events[proj.source][:-1] if proj.recurrent else events[proj.source]
            expected += counts.sum() * pop.size / 2
    assert estimate_energy(qnet, events).synaptic_acs == pytest.approx(expected)


def _dataset(path, inputs, labels):
    np.savez(path, input=inputs, labels=labels)
    return path


def test_labelled_spike_trains_give_float_and_fixed_accuracy(fake_build, tmp_path):
    inputs = (np.random.default_rng(1).random((25, 6, 64)) < 0.3).astype(np.uint8)
    data = _dataset(tmp_path / "set.npz", inputs, np.arange(6) % 10)
    report = make_report(fake_build, DEMO, data)
    acc = report.accuracy
    assert acc.samples == 6 and report.activity.batch == 6 and report.activity.steps == 25
    assert 0 <= acc.hardware_accuracy <= 1 and acc.loss == pytest.approx(acc.float_accuracy - acc.hardware_accuracy)
    assert acc.arith == "fixed" and acc.to_dict()["hardware"] == acc.hardware_accuracy
    assert report.energy.steps == 25


def test_static_samples_are_rate_coded(fake_build, tmp_path):
    samples = np.random.default_rng(2).random((4, 64))
    data = _dataset(tmp_path / "static.npz", samples, np.array([0, 1, 2, 3]))
    report = make_report(fake_build, DEMO, data, steps=12, seed=5)
    assert (report.activity.steps, report.activity.batch) == (12, 4)
    assert "rate-coded over 12 steps" in report.source
    again = make_report(fake_build, DEMO, data, steps=12, seed=5)
    assert again.activity == report.activity  # seeded


@pytest.mark.parametrize("inputs, labels, message", [
    (np.zeros((3, 64)), np.array([0, 1]), "3 input samples but 2 labels"),
    (np.zeros((3, 64)) + 2, np.array([0, 1, 2]), "spike probabilities"),
    (np.zeros((3, 63)), np.array([0, 1, 2]), "must be shaped"),
    (np.zeros((3, 64)), np.array([0.5, 1, 2]), "class indices"),
    (np.zeros((3, 64)), np.array([0, 1, 12]), "class indices 0..9"),
])
def test_bad_data_sets_are_input_errors(fake_build, tmp_path, inputs, labels, message):
    data = _dataset(tmp_path / "bad.npz", inputs, labels)
    with pytest.raises(InputError, match=message):
        make_report(fake_build, DEMO, data)


def test_comparison_rows_and_the_schema(fake_build, fake_build_template, report_schema):
    a = make_report(fake_build_template, DEMO, steps=10)
    b = make_report(fake_build, DEMO, steps=20, rate=0.3)
    rows = {row.metric: row for row in compare(a, b)}
    assert rows["logic cells"].delta == 0 and rows["Fmax"].relative == 0
    assert rows["mean cycles per step"].delta > 0  # busier input, more events to stream
    validator = jsonschema.Draft202012Validator(report_schema)
    validator.validate(report_document([a, b]))
    validator.validate(report_document([make_report(fake_build)]))
    document = report_document([a])
    document["builds"][0]["throughput"]["cycles_per_step"]["surprise"] = 1
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(document)


def test_an_sc_build_is_timed_by_the_sc_core_and_compared_with_its_own_arithmetic(
        fake_build_template, fake_sc_build, tmp_path, report_schema):
    inputs = (np.random.default_rng(3).random((20, 8, 64)) < 0.2).astype(np.uint8)
    data = _dataset(tmp_path / "set.npz", inputs, np.arange(8) % 10)
    fixed, sc = make_report(fake_build_template, DEMO, data), make_report(fake_sc_build, DEMO, data)
    assert (fixed.arith, sc.arith, sc.arith_label) == ("fixed", "sc", "SC, N = 256")
    assert fixed.throughput.core == "snn_core" and sc.throughput.core == "snn_sc_core"
    # the same events cost 16 + 5 clocks each on the SC core instead of 1
    assert sc.throughput.mean_cycles_per_step > 5 * fixed.throughput.mean_cycles_per_step
    assert sc.accuracy.arith == "sc" and sc.accuracy.float_accuracy == fixed.accuracy.float_accuracy
    rows = {row.metric: row for row in compare(fixed, sc)}
    assert rows["time per inference"].a == pytest.approx(fixed.throughput.seconds_per_inference)
    assert rows["time per inference"].b == pytest.approx(20 * sc.throughput.mean_cycles_per_step / (sc.build.fmax_mhz * 1e6))
    assert rows["accuracy"].a == pytest.approx(100 * fixed.accuracy.hardware_accuracy)
    assert rows["accuracy"].b == pytest.approx(100 * sc.accuracy.hardware_accuracy)
    assert rows["lif1 spikes per inference"].b == sc.activity.layers[1].spikes / 8
    document = report_document([fixed, sc])
    jsonschema.Draft202012Validator(report_schema).validate(document)
    assert [b["arith"] for b in document["builds"]] == [{"kind": "fixed", "stream_length": None},
                                                         {"kind": "sc", "stream_length": 256}]
    assert document["builds"][1]["workload"]["accuracy"]["arith"] == "sc"
    assert document["schema_version"] == 4


def test_a_transformer_block_build_follows_the_schema(fake_build, report_schema):
    """An attention layer's build: block manifest, per-module parts, no populations, no workload."""
    from sc_neurocore.backends.cores.attention.design import emit_attention
    from sc_neurocore.transformers.spec import AttentionSpec

    record = json.loads((fake_build / BUILD_REPORT).read_text())
    record["manifest"] = emit_attention(AttentionSpec(embed_dim=16, num_heads=2, tokens=4, T=2)).manifest
    record["attention_parts"] = {"attn_core": {"SB_LUT4": 191}, "attn_qkv": {"SB_LUT4": 521, "SB_MAC16": 3}}
    (fake_build / BUILD_REPORT).write_text(json.dumps(record))
    document = report_document([make_report(fake_build)])
    jsonschema.Draft202012Validator(report_schema).validate(document)
    entry = document["builds"][0]
    assert entry["parts"]["attn_qkv"]["SB_MAC16"] == 3 and entry["workload"] is None
    broken = dict(entry, manifest={k: v for k, v in entry["manifest"].items() if k != "block"})
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(report_schema).validate(dict(document, builds=[broken]))
