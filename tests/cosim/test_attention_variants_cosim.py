"""The SSA, A²OS²A (K^T V order) and SDSA cores, run by Icarus behind their narrow host port, equal their
integer twins: every LIF input, membrane and spike, and every output spike at the port in its order, of
every time step; the clocks per step are the schedule's."""

from dataclasses import replace
from pathlib import Path

import pytest

from sc_neurocore.backends.cores import core_for_spec
from sc_neurocore.backends.cosim import cosimulate
from sc_neurocore.sim.twins.attention_variants import VariantSpec, random_qkv, variant_stimulus
from sc_neurocore.transformers.spec import load_spec

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
    ("a2os2a", dict(embed_dim=8, num_heads=2, tokens=6, T=3, lanes=2, k_bits=1)),  # 1-bit K: packed words
    ("sdsa", dict(embed_dim=16, tokens=8, T=4, lanes=1)),
    ("sdsa", dict(embed_dim=12, tokens=5, T=4, lanes=2, frac_bits=1)),
    ("sdsa", dict(embed_dim=8, tokens=1, T=3, lanes=8)),
]


@pytest.mark.parametrize(("variant", "shape"), SHAPES,
                         ids=[f"{v}-" + "-".join(f"{k}{x}" for k, x in s.items()) for v, s in SHAPES])
def test_variant_core_is_bit_true(icarus, tmp_path, variant, shape):
    spec = VariantSpec(variant, **shape)
    core = core_for_spec(spec)
    stimulus = variant_stimulus(spec, *random_qkv(spec))
    result = cosimulate(core, tmp_path, stimulus)
    assert result.mismatches == 0, result.first_mismatch()
    outputs = spec.T * spec.tokens * spec.embed_dim
    channels = spec.T * spec.embed_dim if variant == "sdsa" else 0
    assert len(result.expected_lines) == outputs + channels
    fired = sum(line.endswith(" 1") for line in result.expected_lines)
    assert fired, "the stimulus must make the attention spike, or the check proves little"
    if variant == "a2os2a":
        assert any(int(line.split()[3]) < 0 for line in result.expected_lines), "V = -1 must subtract"
    assert result.cycles == spec.T * core.stream_cycles_per_step()


@pytest.mark.parametrize("variant", ["ssa", "a2os2a", "sdsa"])
def test_the_float_models_own_qkv_are_bit_true(icarus, tmp_path, variant):
    """The default stimulus: Q/K/V of the float model on its seeded input."""
    spec = VariantSpec(variant, embed_dim=16, num_heads=2, tokens=16, T=4, lanes=2)
    result = cosimulate(core_for_spec(spec), tmp_path)
    assert result.mismatches == 0, result.first_mismatch()
    assert any(line.endswith(" 1") for line in result.expected_lines)


def test_a_wrong_threshold_is_caught(icarus, tmp_path):
    spec = VariantSpec("ssa", embed_dim=16, num_heads=2, tokens=8, T=4, lanes=2)
    core = core_for_spec(spec)
    stimulus = variant_stimulus(spec, *random_qkv(spec))
    result = cosimulate(core, tmp_path, stimulus)
    wrong = core.expected_trace(replace(stimulus, theta=stimulus.theta + 1))
    assert sum(a != b for a, b in zip(result.rtl_lines, wrong)) > 0


@pytest.mark.slow
@pytest.mark.parametrize("name", ["ssa", "sdsa", "a2os2a"])
def test_the_example_specs_are_bit_true_as_deployed(icarus, tmp_path, name):
    """examples/<name>_seed.yaml (64 dims, 4 heads, 32 tokens, T 8), streamed through the 39-pin top."""
    spec = load_spec(Path(__file__).resolve().parents[2] / "examples" / f"{name}_seed.yaml")
    core = core_for_spec(spec)
    assert core.top_level_io_bits() <= 39
    result = cosimulate(core, tmp_path)
    assert result.mismatches == 0, result.first_mismatch()
    assert sum(line.endswith(" 1") for line in result.expected_lines) > spec.T * spec.tokens
    assert result.cycles == spec.T * core.stream_cycles_per_step()
