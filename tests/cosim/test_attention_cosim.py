"""The attention layer RTL, run by Icarus, equals the fixed twin: every output neuron, every step."""

import pytest

from sc_neurocore.backends.attention_cosim import cosimulate_attention, expected_attention_trace
from sc_neurocore.backends.attention_systemverilog import cycles_per_step
from sc_neurocore.transformers.fixed_attention import qkv_spikes, quantise_attention
from sc_neurocore.transformers.spec import AttentionSpec

pytestmark = pytest.mark.cosim


# tokens=6 takes the general address path, tokens=8 the power-of-two one (addresses by wiring)
@pytest.mark.parametrize("lanes, tokens", [(1, 6), (4, 6), (8, 6), (1, 8), (4, 8)])
def test_attention_layer_is_bit_true(icarus, tmp_path, lanes, tokens):
    spec = AttentionSpec(embed_dim=16, num_heads=2, tokens=tokens, T=4, threshold=0.25, lanes=lanes, out_threshold=3)
    result = cosimulate_attention(spec, tmp_path)
    assert result.mismatches == 0, result.first_mismatch()
    assert len(result.expected_lines) == spec.T * spec.tokens * spec.embed_dim
    spikes = sum(line.endswith(" 1") for line in result.expected_lines)
    negative = sum(int(line.split()[3]) < 0 for line in result.expected_lines)
    assert spikes and negative, "the stimulus must fire neurons and subtract V, or the check proves little"
    # the core's schedule, plus a few cycles per step for the start and the neurons' drain
    assert spec.T * cycles_per_step(spec) <= result.cycles <= spec.T * (cycles_per_step(spec) + 8)


def test_a_wrong_threshold_is_caught(icarus, tmp_path):
    spec = AttentionSpec(embed_dim=16, num_heads=2, tokens=6, T=3, threshold=0.25, lanes=2, out_threshold=3)
    result = cosimulate_attention(spec, tmp_path)
    wrong = expected_attention_trace(AttentionSpec(**{**spec.__dict__, "out_threshold": 4}), *qkv_spikes(quantise_attention(spec)))
    assert sum(a != b for a, b in zip(result.rtl_lines, wrong)) > 0
