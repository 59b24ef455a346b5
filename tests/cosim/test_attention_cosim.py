"""The attention layer RTL, run by Icarus, equals the fixed twin: every Q/K/V spike word the projection
unit writes, every output neuron's membrane and spike, every step."""

from dataclasses import replace

import numpy as np
import pytest

from sc_neurocore.backends.cores import core_for_graph
from sc_neurocore.backends.cores.attention.core import AttentionCore
from sc_neurocore.backends.cores.attention.design import cycles_per_step, projection_cycles
from sc_neurocore.backends.cores.attention.trace import expected_attention_trace
from sc_neurocore.backends.cores.settings import BlockSettings
from sc_neurocore.backends.cosim import cosimulate
from sc_neurocore.passes.pipeline import block_graph
from sc_neurocore.sim.twins.seed_attention import quantise_attention, seed_input
from sc_neurocore.transformers.spec import AttentionSpec
from sc_neurocore.transformers.spikformer import spike_driven_attention_op

from tests.netbuild import perturbed_attention, single_op_file

pytestmark = pytest.mark.cosim


def _small(lanes: int, tokens: int, steps: int = 4) -> AttentionSpec:
    return AttentionSpec(embed_dim=16, num_heads=2, tokens=tokens, T=steps, threshold=0.25, lanes=lanes, out_threshold=3)


def _lines(result, kind: str) -> list[list[int]]:
    return [[int(f) for f in line.split()[1:]] for line in result.expected_lines if line.startswith(kind)]


# tokens=6 takes the general address path, tokens=8 the power-of-two one (addresses by wiring)
@pytest.mark.parametrize("lanes, tokens", [(1, 6), (4, 6), (8, 6), (1, 8), (4, 8)])
def test_attention_layer_is_bit_true(icarus, tmp_path, lanes, tokens):
    spec = _small(lanes, tokens)
    result = cosimulate(AttentionCore(spec), tmp_path)
    assert result.mismatches == 0, result.first_mismatch()
    words, updates = _lines(result, "W"), _lines(result, "U")
    assert len(updates) == spec.T * spec.tokens * spec.embed_dim
    assert len(words) == spec.tokens * spec.num_heads * (3 * spec.T + 1)
    assert {w[0] for w in words} == {0, 1, 2, 3} and all(any(w[3] for w in words if w[0] == s) for s in range(4)), \
        "Q, K, |V| and V's signs must all carry ones, or the check proves little"
    assert sum(u[3] for u in updates) and min(u[2] for u in updates) < 0, "neurons must fire and V must subtract"
    # the projections, then the core's schedule plus 4 cycles per step for the start and the drain
    low = projection_cycles(spec) + spec.T * cycles_per_step(spec)
    assert result.cycles == low + 4 * spec.T + 1 == AttentionCore(spec).cosim_cycles()


# an embedding and a step count that are not powers of two (padded x and spike addresses), T = 1, and
# 6-bit inputs with 10-bit weights (host words of 10 bits)
@pytest.mark.parametrize("shape", [
    dict(embed_dim=12, num_heads=2, tokens=5, T=3, lanes=3),
    dict(embed_dim=12, num_heads=3, tokens=7, T=1, lanes=1),
    dict(embed_dim=16, num_heads=2, tokens=6, T=4, lanes=2, in_bits=6, weight_bits=10),
])
def test_odd_shapes_and_widths_are_bit_true(icarus, tmp_path, shape):
    result = cosimulate(AttentionCore(AttentionSpec(threshold=0.25, out_threshold=3, **shape)), tmp_path)
    assert result.mismatches == 0, result.first_mismatch()
    assert sum(u[3] for u in _lines(result, "U")) > 0


def test_two_inferences_start_from_fresh_membranes(icarus, tmp_path):
    spec = _small(2, 6)
    x = seed_input(spec)
    result = cosimulate(AttentionCore(spec), tmp_path, [x, x[::-1]])  # same peak: same scale and thresholds
    assert result.mismatches == 0, result.first_mismatch()
    one = expected_attention_trace(quantise_attention(spec, x))
    assert len(result.rtl_lines) == 2 * len(one) and result.rtl_lines[len(one):] != result.rtl_lines[:len(one)]
    assert result.cycles == AttentionCore(spec).cosim_cycles([x, x[::-1]])


# the seed layer (4 heads, 32 tokens, 64 dims): T = 2 is about 280 000 cycles (6 s in Icarus), T = 8 about
# 712 000 (15 s); at T = 8 the seed's sparse Q/K/V spikes fire no output neuron, so T = 2 checks the firing
@pytest.mark.slow
@pytest.mark.parametrize("steps", [2, 8])
def test_seed_shape(icarus, tmp_path, steps):
    spec = AttentionSpec(T=steps)
    result = cosimulate(AttentionCore(spec), tmp_path)
    assert result.mismatches == 0, result.first_mismatch()
    updates = _lines(result, "U")
    assert len(updates) == steps * 32 * 64 and any(u[2] for u in updates)
    assert steps == 8 or sum(u[3] for u in updates) > 0
    assert result.cycles == AttentionCore(spec).cosim_cycles() == {2: 279_433, 8: 711_841}[steps]  # docs/attention_hw.md


def test_a_wrong_threshold_is_caught(icarus, tmp_path):
    spec = _small(2, 6, steps=3)
    result = cosimulate(AttentionCore(spec), tmp_path)
    wrong = expected_attention_trace(quantise_attention(AttentionSpec(**{**spec.__dict__, "out_threshold": 4})))
    assert sum(a != b for a, b in zip(result.rtl_lines, wrong)) > 0
    fixed = quantise_attention(spec)  # a V threshold 20 % low changes V's spike words
    wrong_v = expected_attention_trace(replace(fixed, theta={**fixed.theta, "v": fixed.theta["v"] * 4 // 5}))
    assert sum(a != b for a, b in zip(result.rtl_lines, wrong_v) if a.startswith("W 2")) > 0


def test_an_input_at_another_peak_is_quantised_at_the_layers_scale(icarus, tmp_path):
    spec = _small(1, 6)
    x = seed_input(spec) / 4  # as a host does: x_q = round(x 2^input_scale_shift), the thresholds unchanged
    result = cosimulate(AttentionCore(spec), tmp_path, [x])
    assert result.mismatches == 0, result.first_mismatch()
    fixed = quantise_attention(spec)
    quarter = quantise_attention(spec, x, x_shift=fixed.x_shift)
    assert quarter.theta == fixed.theta and np.abs(quarter.x_int).max() < np.abs(fixed.x_int).max() // 2


def test_an_attention_op_from_a_nir_file_is_bit_true(icarus, tmp_path):
    """The op's own (non-seed) W_q, W_k, W_v, read back from a .nir, in the RTL and in the twin."""
    model = perturbed_attention()
    graph = block_graph(single_op_file(tmp_path, spike_driven_attention_op(model), "attention.nir"))
    _, core = core_for_graph(graph, BlockSettings(lanes=2, tokens=6))
    np.testing.assert_array_equal(core.fixed.model.W_v, model.W_v)
    result = cosimulate(core, tmp_path / "cosim")
    assert result.mismatches == 0, result.first_mismatch()
    updates = _lines(result, "U")
    assert len(updates) == model.T * 6 * 16 and sum(u[3] for u in updates) > 0, "output neurons must fire"
    seeded = expected_attention_trace(quantise_attention(core.spec, x_shift=core.fixed.x_shift))
    assert list(result.rtl_lines) != seeded, "the RTL must run the op's weights, not the seed's"
