"""The SSA, A²OS²A (K^T V order) and SDSA cores, run by Icarus, equal their integer twins: every LIF
input, membrane and spike, and every gated output spike, of every time step."""

from dataclasses import replace

import pytest

from sc_neurocore.backends.attention_variants import cosimulate_variant, cycles_per_step, expected_variant_trace
from sc_neurocore.transformers.fixed_variants import VariantSpec, random_qkv, variant_stimulus

pytestmark = pytest.mark.cosim

# power-of-two shapes take the wired addresses, odd ones (tokens 5, 3 heads, 6 chunks) the running
# address registers; lanes = head dimension is the one-chunk edge case
SHAPES = [
    ("ssa", dict(embed_dim=16, num_heads=2, tokens=8, T=4, lanes=1)),
    ("ssa", dict(embed_dim=12, num_heads=2, tokens=5, T=4, lanes=3, frac_bits=2)),
    ("ssa", dict(embed_dim=16, num_heads=1, tokens=3, T=3, lanes=16)),
    ("a2os2a", dict(embed_dim=16, num_heads=2, tokens=8, T=4, lanes=4)),
    ("a2os2a", dict(embed_dim=12, num_heads=3, tokens=7, T=4, lanes=2, k_bits=4, frac_bits=1)),
    ("a2os2a", dict(embed_dim=8, num_heads=1, tokens=16, T=3, lanes=8, k_bits=8)),
    ("sdsa", dict(embed_dim=16, tokens=8, T=4, lanes=1)),
    ("sdsa", dict(embed_dim=12, tokens=5, T=4, lanes=2, frac_bits=1)),
    ("sdsa", dict(embed_dim=8, tokens=1, T=3, lanes=8)),
]


@pytest.mark.parametrize(("variant", "shape"), SHAPES,
                         ids=[f"{v}-" + "-".join(f"{k}{x}" for k, x in s.items()) for v, s in SHAPES])
def test_variant_core_is_bit_true(icarus, tmp_path, variant, shape):
    spec = VariantSpec(variant, **shape)
    stimulus = variant_stimulus(spec, *random_qkv(spec))
    result = cosimulate_variant(spec, tmp_path, stimulus)
    assert result.mismatches == 0, result.first_mismatch()
    outputs = spec.T * spec.tokens * spec.embed_dim
    channels = spec.T * spec.embed_dim if variant == "sdsa" else 0
    assert len(result.expected_lines) == outputs + channels
    fired = sum(line.endswith(" 1") for line in result.expected_lines)
    assert fired, "the stimulus must make the attention spike, or the check proves little"
    if variant == "a2os2a":
        assert any(int(line.split()[3]) < 0 for line in result.expected_lines), "V = -1 must subtract"
    assert result.cycles == spec.T * cycles_per_step(spec)


@pytest.mark.parametrize("variant", ["ssa", "a2os2a", "sdsa"])
def test_the_float_models_own_qkv_are_bit_true(icarus, tmp_path, variant):
    """The default stimulus: Q/K/V of the float model on its seeded input."""
    spec = VariantSpec(variant, embed_dim=16, num_heads=2, tokens=16, T=4, lanes=2)
    result = cosimulate_variant(spec, tmp_path)
    assert result.mismatches == 0, result.first_mismatch()
    assert any(line.endswith(" 1") for line in result.expected_lines)


def test_a_wrong_threshold_is_caught(icarus, tmp_path):
    spec = VariantSpec("ssa", embed_dim=16, num_heads=2, tokens=8, T=4, lanes=2)
    stimulus = variant_stimulus(spec, *random_qkv(spec))
    result = cosimulate_variant(spec, tmp_path, stimulus)
    wrong = expected_variant_trace(spec, replace(stimulus, theta=stimulus.theta + 1))
    assert sum(a != b for a, b in zip(result.rtl_lines, wrong)) > 0
