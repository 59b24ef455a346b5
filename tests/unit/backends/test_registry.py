"""Every registered core walks every stage from its own example: emit (deterministic), fit on the largest
part, the cycle model against Icarus, and a bit-true co-simulation. A core that skips a step fails here."""

import pytest

from sc_neurocore.backends.build.plan import MANIFEST, TESTBENCH
from sc_neurocore.backends.cores import CORES, core_class
from sc_neurocore.backends.cosim import cosimulate

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
