"""The attention-variant cores (SSA, SDSA, A²OS²A): the host port's pin count, the fit check's messages
(before any file is written), the exact throughput and deterministic emission."""

from dataclasses import replace
from pathlib import Path

import pytest

from sc_neurocore.backends.cores import core_for_spec
from sc_neurocore.backends.cores.kv_attention.core import A2os2aCore, SdsaCore, SsaCore
from sc_neurocore.backends.deploy import deploy_core
from sc_neurocore.errors import FitError, InputError
from sc_neurocore.transformers.spec import VariantSpec, load_spec

EXAMPLES = Path(__file__).resolve().parents[5] / "examples"
SEEDS = {"ssa": "ssa_seed.yaml", "sdsa": "sdsa_seed.yaml", "a2os2a": "a2os2a_seed.yaml"}


def check_fit(spec, device="up5k"):
    core_for_spec(spec).check_fit(device, None)


def test_each_block_name_is_its_own_core_class():
    for name, cls in (("ssa", SsaCore), ("sdsa", SdsaCore), ("a2os2a", A2os2aCore)):
        spec = load_spec(EXAMPLES / SEEDS[name])
        assert type(core_for_spec(spec)) is cls and cls.kind == spec.block
    with pytest.raises(InputError, match="SsaCore builds ssa specs"):
        SsaCore(VariantSpec("sdsa"))


def test_the_host_port_fits_the_sg48_package_at_the_seed_folds():
    ssa, sdsa, a2os2a = (core_for_spec(load_spec(EXAMPLES / SEEDS[v])) for v in ("ssa", "sdsa", "a2os2a"))
    assert ssa.host_word_bits() == 16 and ssa.top_level_io_bits() == 5 + 16 + 1
    assert core_for_spec(replace(a2os2a.spec, k_bits=15, embed_dim=32, num_heads=4)).host_word_bits() == 15
    assert sdsa.with_lanes(8).host_word_bits() == 8 and sdsa.with_lanes(8).top_level_io_bits() == 21
    assert ssa.words_per_step() == 3 * 4 * 32, "binary K travels as d-bit words, like Q and V"
    assert a2os2a.words_per_step() == 4 * 32 * (16 + 3), "one word per K value, then Q, V+ and V- words"
    assert core_for_spec(replace(a2os2a.spec, k_bits=1)).words_per_step() == 4 * 4 * 32
    assert sdsa.words_per_step() == 3 * 32 * 64


@pytest.mark.parametrize(("variant", "lanes", "message"), [
    ("a2os2a", 16, r"A²OS²A attention core with lanes=16 does not fit up5k: it needs 38 EBR \(has 30\); "
                   r"folds that fit: lanes=1, 2, 4, 8$"),
    ("sdsa", 64, r"SDSA attention core with lanes=64 does not fit up5k: it needs 133 IO pins \(has 39\), "
                 r"56 EBR \(has 30\); folds that fit: lanes=1, 2, 4, 8, 16$"),
    ("sdsa", 32, r"needs 69 IO pins \(has 39\); folds that fit: lanes=1, 2, 4, 8, 16$"),
])
def test_a_fold_too_wide_names_what_it_needs_and_the_folds_that_fit(variant, lanes, message):
    spec = replace(load_spec(EXAMPLES / SEEDS[variant]), lanes=lanes)
    with pytest.raises(FitError, match=message):
        check_fit(spec)


def test_a_core_with_no_fitting_fold_says_so():
    spec = VariantSpec("ssa", embed_dim=64, num_heads=1, tokens=64, T=2)
    with pytest.raises(FitError, match=r"needs 70 IO pins \(has 39\).*; no fold fits: use fewer tokens"):
        check_fit(spec)


def test_the_fit_check_runs_before_any_file_is_written(tmp_path):
    spec = replace(load_spec(EXAMPLES / SEEDS["a2os2a"]), lanes=16)
    with pytest.raises(FitError):
        deploy_core(core_for_spec(spec), tmp_path / "out")
    assert not (tmp_path / "out").exists() and not list(tmp_path.iterdir())


def test_a_larger_device_package_admits_the_wider_fold():
    spec = replace(load_spec(EXAMPLES / SEEDS["sdsa"]), lanes=32)
    check_fit(spec, device="hx8k")  # ct256: 206 IOs, 32 EBR


def test_throughput_follows_the_schedule_and_the_fmax():
    core = core_for_spec(load_spec(EXAMPLES / SEEDS["sdsa"]))
    figures = core.throughput(50.0)
    assert figures["cycles_per_step"] == core.stream_cycles_per_step() == figures["host_words_per_step"] + 1 + \
        figures["core_cycles_per_step"]
    assert figures["steps_per_second"] == pytest.approx(50e6 / figures["cycles_per_step"])
    assert core.throughput(None)["steps_per_second"] is None


def test_emission_is_deterministic_and_records_the_port():
    core = core_for_spec(load_spec(EXAMPLES / SEEDS["a2os2a"]))
    first, again = core.emit(), core_for_spec(core.spec).emit()
    assert first.files == again.files
    assert first.manifest["top_level_io_bits"] == 22
    assert first.manifest["cycles_per_step"] == core.stream_cycles_per_step()
    top = first.files["a2os2a_top.sv"]
    assert "attn_kv_stream" in top and "input  logic [15:0] in_data" in top and "output logic [0:0] out_spikes" in top
