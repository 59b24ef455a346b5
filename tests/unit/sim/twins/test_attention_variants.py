"""The integer twins of the SSA, SDSA and A²OS²A attention cores against their float models."""

import numpy as np
import pytest

from sc_neurocore.errors import InputError, UnsupportedError
from sc_neurocore.sim.twins.attention_variants import (
    VARIANTS, VariantSpec, build_model, float_attention, lif_tau2, model_qkv, quantisation_report, random_qkv,
    run_variant, variant_formats, variant_stimulus,
)
from sc_neurocore.models.lif import lif_step


def float_lif_membranes(x, threshold):
    """The float model's LIF (tau 2, hard reset to 0) step by step: spikes and membranes after reset."""
    v = np.zeros(x.shape[1:], np.float64)
    spikes, membranes = [], []
    for x_t in np.asarray(x, np.float64):
        s, v = lif_step(x_t, v, 2.0, threshold, 0.0)
        spikes.append(s)
        membranes.append(v)
    return np.array(spikes), np.array(membranes)


@pytest.mark.parametrize("variant", VARIANTS)
def test_float_reference_is_the_models_own_attention(variant):
    """float_attention (used by the report on random Q/K/V) reproduces each model's forward pass."""
    spec = VariantSpec(variant, embed_dim=16, num_heads=2, tokens=32, T=4)
    model, q, k, v, attention = model_qkv(spec)
    assert 0 < attention.mean() < 1, "the seeded input must make the attention spike"
    np.testing.assert_array_equal(float_attention(spec, model, q, k, v), attention)


@pytest.mark.parametrize("variant", ["ssa", "sdsa"])
def test_twin_is_exact_on_binary_qkv_when_frac_bits_cover_t(variant):
    spec = VariantSpec(variant, embed_dim=16, num_heads=2, tokens=32, T=6, frac_bits=6)
    model, q, k, v, attention = model_qkv(spec)
    run = run_variant(spec, variant_stimulus(spec, q, k, v, model))
    np.testing.assert_array_equal(run.out, attention)
    rq, rk, rv = random_qkv(spec)
    run = run_variant(spec, variant_stimulus(spec, rq, rk, rv, model))
    np.testing.assert_array_equal(run.out, float_attention(spec, model, rq, rk, rv))
    assert 0 < run.out.mean() < 1


def test_a2os2a_twin_is_exact_when_k_lies_on_its_grid():
    """With K already a multiple of 2^-k_shift, only the leak could round: exact for frac_bits >= T."""
    spec = VariantSpec("a2os2a", embed_dim=16, num_heads=2, tokens=16, T=4, frac_bits=4, k_bits=6)
    q, k, v = random_qkv(spec)
    k = np.round(k * 16) / 16  # peak < 2, 6 bits: the scale is 2^4
    stimulus = variant_stimulus(spec, q, k, v)
    assert stimulus.k_shift == 4 and stimulus.k.max() <= 63
    run = run_variant(spec, stimulus)
    np.testing.assert_array_equal(run.out, float_attention(spec, build_model(spec), q, k, v))
    assert (run.y < 0).any() and 0 < run.out.mean() < 1


def test_a2os2a_quantised_k_agrees_closely_and_more_bits_agree_better():
    agreement = {}
    for bits in (3, 8):
        report = quantisation_report(VariantSpec("a2os2a", embed_dim=16, num_heads=2, tokens=32, T=4, k_bits=bits))
        agreement[bits] = report["random_qkv_output_spike_agreement"]
        assert report["model_qkv_output_rate"] > 0.05 and report["random_qkv_output_rate"] > 0.05
    assert agreement[8] >= 0.99 and agreement[8] >= agreement[3]


def test_integer_lif_is_the_float_lif_within_one_lsb_of_the_leak():
    """With fewer fractional bits than steps the shift floors: the twin's membrane is below the float
    one by less than 2^-F for every neuron whose spikes still agree, and it is exact while t <= F."""
    rng = np.random.default_rng(3)
    x = rng.integers(0, 7, (12, 4000))
    theta, frac = 4.0, 2
    spikes, u = lif_tau2(x, int(theta * 2**frac), frac)
    f_spikes, f_v = float_lif_membranes(x, theta)
    agree = np.cumprod(spikes == f_spikes, axis=0).astype(bool)  # spikes equal up to and including t
    error = f_v - u / 2.0**frac
    assert np.all(error[agree] >= 0) and np.all(error[agree] < 2.0**-frac)
    np.testing.assert_array_equal(u[:frac] / 2.0**frac, f_v[:frac])
    assert (error[agree] > 0).any(), "with T > F some step must round, or the bound is untested"
    assert agree[-1].mean() > 0.9


def test_formats_hold_the_worst_case():
    spec = VariantSpec("a2os2a", embed_dim=8, num_heads=2, tokens=5, T=3, k_bits=4)
    theta = 16
    ones = np.ones((spec.T, spec.tokens, spec.embed_dim), np.int64)
    formats = variant_formats(spec, theta)
    for sign in (1, -1):
        stimulus = variant_stimulus(spec, ones, ones * 15 / 16, sign * ones)
        run = run_variant(spec, stimulus)
        assert np.abs(run.y).max() == spec.tokens * spec.head_dim * 15
        assert -(1 << (formats.yb - 1)) <= run.y.min() and run.y.max() < 1 << (formats.yb - 1)
        assert -(1 << (formats.ab - 1)) <= run.u.min() and run.u.max() < 1 << (formats.ab - 1)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"variant": "ssa", "embed_dim": 10, "num_heads": 3}, "num_heads"),
        ({"variant": "a2os2a", "embed_dim": 16, "num_heads": 2, "lanes": 3},
         r"lanes 3 does not divide the head dimension 8.*1, 2, 4, 8"),
        ({"variant": "sdsa", "embed_dim": 12, "lanes": 5}, r"lanes 5 does not divide the embed_dim 12"),
        ({"variant": "linformer"}, "variant must be one of"),
        ({"variant": "ssa", "frac_bits": 0}, "frac_bits"),
        ({"variant": "a2os2a", "k_bits": 16}, "k_bits"),
        ({"variant": "ssa", "tokens": 0}, "tokens"),
    ],
)
def test_bad_shapes_and_folds_name_the_option(options, message):
    with pytest.raises(InputError, match=message):
        VariantSpec(**options)


def test_sdsa_ignores_heads_and_a_non_tau_2_model_is_refused():
    assert VariantSpec("sdsa", embed_dim=9, lanes=3).chunks == 3  # num_heads=2 does not apply
    spec = VariantSpec("ssa", embed_dim=8, num_heads=2, tokens=4, T=2)
    model = build_model(spec)
    model.tau = 3.0
    with pytest.raises(UnsupportedError, match="tau must be 2"):
        variant_stimulus(spec, *random_qkv(spec), model)


def test_negative_k_is_refused():
    spec = VariantSpec("a2os2a", embed_dim=8, num_heads=2, tokens=4, T=2)
    q, k, v = random_qkv(spec)
    with pytest.raises(InputError, match="non-negative"):
        variant_stimulus(spec, q, -k - 1, v)
