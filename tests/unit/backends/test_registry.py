"""Every registered core walks every stage from its own example: emit (deterministic), fit on the largest
part, the cycle model against Icarus, a bit-true co-simulation, and its host stream port (`<top>_stream`)
bit-true under random input gaps and output stalls. A core that skips a step fails here."""

import numpy as np
import pytest

from sc_neurocore.backends.build.plan import MANIFEST, TESTBENCH
from sc_neurocore.backends.build.templates import memory_image
from sc_neurocore.backends.cores import CORES, core_class
from sc_neurocore.backends.cosim import cosimulate, stream_cosimulate

KINDS = [core.kind for core in CORES]


def test_kinds_are_one_vocabulary_without_repeats():
    assert len(KINDS) == len(set(KINDS))
    assert all(core_class(kind).kind == kind for kind in KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_each_core_emits_a_deterministic_plan_from_its_example(kind):
    first, second = core_class(kind).example().emit(), core_class(kind).example().emit()
    assert first.digest == second.digest
    assert {TESTBENCH, MANIFEST, *first.sources, *first.memory_files} <= set(first.files)
    assert first.top and first.files[f"{first.top}.sv"].startswith("//")


@pytest.mark.parametrize("kind", KINDS)
def test_each_core_example_fits_a_up5k(kind):
    core_class(kind).example().check_fit("up5k", None)


@pytest.mark.cosim
@pytest.mark.parametrize("kind", KINDS)
def test_each_core_example_is_bit_true_and_keeps_its_cycle_model(kind, icarus, tmp_path):
    core = core_class(kind).example()
    result = cosimulate(core, tmp_path)
    assert result.expected_lines, "the example must produce a trace to compare"
    assert result.mismatches == 0, result.first_mismatch()
    assert result.cycles == core.cosim_cycles()


# -- the host stream port (docs/host_link.md section 1) ---------------------------------------------------
# Cores without `<top>_stream`, each with the reason in its own core; none today. A core missing from
# here that has no port fails below, so nothing is skipped silently.
NO_STREAM_PORT: tuple[str, ...] = ()
STREAMED = [kind for kind in KINDS if kind not in NO_STREAM_PORT]


def test_every_core_but_the_listed_exclusions_has_a_stream_port():
    assert set(NO_STREAM_PORT) <= set(KINDS)
    for kind in STREAMED:
        assert core_class(kind).example().stream_port().module.endswith("_stream")


@pytest.mark.parametrize("kind", STREAMED)
def test_each_plan_holds_the_stream_port_beside_an_unchanged_synthesis_top(kind):
    core = core_class(kind).example()
    plan = core.emit()
    stream = plan.manifest["stream"]
    assert stream["module"] == f"{plan.top}_stream"
    assert stream["format"] in ("events", "dense") and stream["in_bits"] >= 1 and stream["out_bits"] >= 1
    assert set(stream["sources"]) <= set(plan.files) and not set(stream["sources"]) & set(plan.sources)
    wrapper = plan.files[f"{stream['module']}.sv"]
    assert f"module {stream['module']} (" in wrapper and f"    {plan.top} core (" in wrapper
    for port in ("in_valid", "in_ready", "out_valid", "out_ready", "status"):
        assert f" {port}," in wrapper or f" {port}\n" in wrapper, port
    burst = stream["out_words_per_inference" if stream["format"] == "dense" else "max_out_words_per_step"]
    assert stream["fifo_words"] >= burst
    if stream["load_words"]:  # the host's load words are in the build, as it sends them
        assert plan.files[stream["load_file"]] == memory_image(core.stream_words()[0], stream["in_bits"])
    else:
        assert stream["load_file"] is None


@pytest.mark.parametrize("kind", STREAMED)
def test_each_cores_stream_words_follow_its_manifest_and_decode_to_the_twins_output(kind):
    core = core_class(kind).example()
    stimulus = core.stream_test_stimulus()
    stream = core.emit(stimulus).manifest["stream"]
    load, units = core.stream_words(stimulus)
    outputs, natural = core.expected_stream_output(stimulus), core.twin_outputs(stimulus)
    assert len(load) == stream["load_words"] and len(units) == len(outputs) == len(natural) >= 1
    words = [*load, *(w for unit in units for w in unit)] + [w for unit in outputs for w in unit]
    assert all(0 <= w < 1 << max(stream["in_bits"], stream["out_bits"]) for w in words)
    if stream["format"] == "dense":
        assert {len(unit) for unit in units} == {stream["in_words_per_inference"]}
        assert {len(unit) for unit in outputs} == {stream["out_words_per_inference"]}
        assert stream["out_fields"] * stream["out_field_bits"] == stream["out_bits"]
    else:
        eos = 1 << stream["out_eos_bit"]
        steps = [sum(w == eos for w in unit) for unit in outputs]
        assert steps == [sum(w >> stream["in_eos_bit"] & 1 for w in unit) for unit in units]
        assert sum(len(unit) for unit in outputs) > sum(steps), "the test stimulus must make output events"
    for unit, expected in zip(outputs, natural):
        np.testing.assert_array_equal(core.stream_outputs(unit), expected)
    assert any(np.any(out) for out in natural), "the test stimulus must make outputs"


@pytest.mark.cosim
@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("kind", STREAMED)
def test_each_cores_stream_port_is_bit_true_under_random_gaps_and_stalls(kind, seed, icarus, tmp_path):
    core = core_class(kind).example()
    result = stream_cosimulate(core, tmp_path, core.stream_test_stimulus(), seed=seed)
    assert result.expected, "the twin must predict output words"
    assert result.words == result.expected, result.first_mismatch()
    assert result.status == 0, f"status {result.status:#x}: busy or overflow after the run"


@pytest.mark.cosim
@pytest.mark.parametrize("kind", ["snn_core", "spike_driven_attention"])
def test_a_long_output_stall_holds_the_host_back_and_loses_nothing(kind, icarus, tmp_path):
    """out_ready low for 20,000 clocks: the FIFO fills (a few time steps, or one inference of 192 words
    against 256 FIFO words), in_ready falls and stays low, and once out_ready returns every word arrives."""
    core = core_class(kind).example()
    stall = 20_000
    result = stream_cosimulate(core, tmp_path, core.stream_test_stimulus(), seed=3, stall_cycles=stall)
    assert result.waited > stall // 2, f"the host waited only {result.waited} clocks: no stall happened"
    assert result.words == result.expected, result.first_mismatch()
    assert not result.overflow and result.status == 0
