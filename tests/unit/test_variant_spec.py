"""The attention-variant block specs (ssa_attention, sdsa_attention, a2os2a_attention): YAML loading and
validation with one-line errors, the host port's pin count and the fit check's messages, all before any
tool runs."""

from dataclasses import replace
from pathlib import Path

import pytest

from sc_neurocore.backends.attention_variants import (
    default_stimulus, emit_variant, host_word_bits, stream_cycles_per_step, top_level_io_bits, words_per_step,
)
from sc_neurocore.backends.variant_deploy import (
    check_variant_fit, deploy_variant, variant_throughput,
)
from sc_neurocore.cli.app import main
from sc_neurocore.errors import FitError, InputError
from sc_neurocore.transformers.spec import BLOCKS, VariantSpec, load_spec, spec_from_dict

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SEEDS = {"ssa": "ssa_seed.yaml", "sdsa": "sdsa_seed.yaml", "a2os2a": "a2os2a_seed.yaml"}


@pytest.mark.parametrize("variant", sorted(SEEDS))
def test_the_example_specs_load_as_their_variant(variant):
    spec = load_spec(EXAMPLES / SEEDS[variant])
    assert isinstance(spec, VariantSpec) and spec.variant == variant
    assert (spec.embed_dim, spec.tokens, spec.T, spec.lanes) == (64, 32, 8, 1)
    assert spec.block in BLOCKS and spec_from_dict({"block": spec.block, "embed_dim": 64}).variant == variant
    if variant != "sdsa":
        assert (spec.num_heads, spec.head_dim) == (4, 16)


@pytest.mark.parametrize(("raw", "fragment"), [
    ({"block": "ssa_attention", "variant": "sdsa"}, "unknown option(s) variant"),
    ({"block": "a2os2a_attention", "heads": 4}, "unknown option(s) heads"),
    ({"block": "ssa_attention", "embed_dim": 64, "num_heads": 5}, "num_heads"),
    ({"block": "ssa_attention", "embed_dim": 64, "num_heads": 4, "lanes": 3},
     "lanes 3 does not divide the head dimension 16; choose lanes from [1, 2, 4, 8, 16]"),
    ({"block": "sdsa_attention", "embed_dim": 24, "lanes": 5},
     "lanes 5 does not divide the embed_dim 24; choose lanes from [1, 2, 3, 4, 6, 8, 12, 24]"),
    ({"block": "sdsa_attention", "tokens": 0}, "tokens must be a positive integer"),
    ({"block": "a2os2a_attention", "k_bits": 16}, "k_bits must be an integer from 1 to 15"),
    ({"block": "ssa_attention", "frac_bits": True}, "frac_bits must be an integer"),
    ({"block": "sdsa_attention", "seed": -1}, "seed must be a non-negative integer"),
    ({"block": "ssa_atention"}, "block 'ssa_atention' is not supported here"),
])
def test_bad_specs_name_the_file_and_the_option(raw, fragment):
    with pytest.raises(InputError) as error:
        spec_from_dict(raw, "x.yaml")
    message = str(error.value)
    assert message.startswith("x.yaml: ") and fragment in message and "\n" not in message


def test_a_bad_variant_spec_is_a_one_line_cli_error(capsys, tmp_path):
    path = tmp_path / "a2os2a.yaml"
    path.write_text("block: a2os2a_attention\nembed_dim: 64\nnum_heads: 4\nlanes: 32\n")
    code = main(["deploy", str(path), "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and err[0].startswith("error: ")
    assert "lanes 32 does not divide the head dimension 16" in err[0]
    assert not (tmp_path / "out").exists()


def test_the_host_port_fits_the_sg48_package_at_the_seed_folds():
    ssa, sdsa, a2os2a = (load_spec(EXAMPLES / SEEDS[v]) for v in ("ssa", "sdsa", "a2os2a"))
    assert host_word_bits(ssa) == 16 and top_level_io_bits(ssa) == 5 + 16 + 1
    assert host_word_bits(replace(a2os2a, k_bits=15, embed_dim=32, num_heads=4)) == 15
    assert host_word_bits(replace(sdsa, lanes=8)) == 8 and top_level_io_bits(replace(sdsa, lanes=8)) == 21
    assert words_per_step(ssa) == 3 * 4 * 32, "binary K travels as d-bit words, like Q and V"
    assert words_per_step(a2os2a) == 4 * 32 * (16 + 3), "one word per K value, then Q, V+ and V- words"
    assert words_per_step(replace(a2os2a, k_bits=1)) == 4 * 4 * 32
    assert words_per_step(sdsa) == 3 * 32 * 64


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
        check_variant_fit(spec, default_stimulus(spec).theta)


def test_a_core_with_no_fitting_fold_says_so():
    spec = VariantSpec("ssa", embed_dim=64, num_heads=1, tokens=64, T=2)
    with pytest.raises(FitError, match=r"needs 70 IO pins \(has 39\).*; no fold fits: use fewer tokens"):
        check_variant_fit(spec, default_stimulus(spec).theta)


def test_the_fit_check_runs_before_any_file_is_written(tmp_path):
    spec = replace(load_spec(EXAMPLES / SEEDS["a2os2a"]), lanes=16)
    with pytest.raises(FitError):
        deploy_variant(spec, tmp_path / "out")
    assert not (tmp_path / "out").exists() and not list(tmp_path.iterdir())


def test_a_larger_device_package_admits_the_wider_fold():
    spec = replace(load_spec(EXAMPLES / SEEDS["sdsa"]), lanes=32)
    check_variant_fit(spec, default_stimulus(spec).theta, device="hx8k")  # ct256: 206 IOs, 32 EBR


def test_throughput_follows_the_schedule_and_the_fmax():
    spec = load_spec(EXAMPLES / SEEDS["sdsa"])
    figures = variant_throughput(spec, 50.0)
    assert figures["cycles_per_step"] == stream_cycles_per_step(spec) == figures["host_words_per_step"] + 1 + \
        figures["core_cycles_per_step"]
    assert figures["steps_per_second"] == pytest.approx(50e6 / figures["cycles_per_step"])
    assert variant_throughput(spec, None)["steps_per_second"] is None


def test_emission_is_deterministic_and_records_the_port():
    spec = load_spec(EXAMPLES / SEEDS["a2os2a"])
    first, again = emit_variant(spec), emit_variant(spec)
    assert first.files == again.files
    assert first.manifest["top_level_io_bits"] == 22
    assert first.manifest["cycles_per_step"] == stream_cycles_per_step(spec)
    top = first.files["a2os2a_top.sv"]
    assert "attn_kv_stream" in top and "input  logic [15:0] in_data" in top and "output logic [0:0] out_spikes" in top
