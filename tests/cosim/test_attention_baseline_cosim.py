"""The cost baseline `attn_mac_core` (8-bit MAC attention, power-of-two softmax), run by Icarus, equals
its integer reference `mac_softmax_attention`: every output value of every head, query and dimension."""

import numpy as np
import pytest

from sc_neurocore.backends.build.build_dir import write_files
from sc_neurocore.backends.cores.mac_baseline.core import MacBaselineCore, cosimulate_netlist
from sc_neurocore.backends.cores.mac_baseline.design import MAC_SOURCES, mac_cycles_per_step
from sc_neurocore.backends.cosim import CosimResult, cosimulate, run_icarus
from sc_neurocore.sim.twins.softmax_attention import mac_softmax_attention, seeded_qkv
from sc_neurocore.transformers.spec import AttentionSpec

pytestmark = pytest.mark.cosim

SMALL = dict(embed_dim=16, num_heads=2, tokens=6)  # head dimension 8
SEED = {}  # AttentionSpec(): 4 heads, 32 tokens, head dimension 16


def _operands(spec: AttentionSpec, seed: int, qk_range: int = 6):
    return seeded_qkv(spec.num_heads, spec.tokens, spec.head_dim, seed=seed, qk_range=qk_range)


def _values(lines) -> np.ndarray:
    return np.array([int(line.split()[2]) for line in lines])


# lanes 1 and wider folds; on the seed shape every fold the benchmark synthesises (2, 4, 8, 16: twice the
# spiking core's lanes).
# Two input sets back to back: the second run must start from cleared accumulators and scores.
@pytest.mark.parametrize("shape, lanes", [
    (SMALL, 1), (SMALL, 4), (SMALL, 8), (SEED, 1), (SEED, 2), (SEED, 4), (SEED, 8), (SEED, 16),
])
def test_baseline_core_is_bit_true(icarus, tmp_path, shape, lanes):
    spec = AttentionSpec(lanes=lanes, **shape)
    runs = [_operands(spec, seed) for seed in (0, 1)]
    result = cosimulate(MacBaselineCore(spec), tmp_path, runs)
    assert result.mismatches == 0, result.first_mismatch()
    outputs = spec.num_heads * spec.tokens * spec.head_dim
    assert len(result.rtl_lines) == 2 * outputs
    assert result.cycles == 2 * mac_cycles_per_step(spec)
    values = _values(result.rtl_lines)
    assert values.min() < 0 < values.max(), "outputs must take both signs"
    assert len(set(values)) > min(100, outputs // 4), "outputs must vary"


def test_full_range_operands_are_bit_true(icarus, tmp_path):
    # the score extremes: a query and key of all -128 (score 2^14 per dimension, the largest), all +127
    # against -128 (the most negative), and V at -128 and 127
    spec = AttentionSpec(lanes=2, **SMALL)
    q, k, v = _operands(spec, 5, qk_range=128)
    q[0, 0], k[0, 1], k[0, 2], q[1, 3], k[1, 3] = -128, -128, 127, 127, -128
    v[0, 1], v[1, 0] = -128, 127
    result = cosimulate(MacBaselineCore(spec), tmp_path, [(q, k, v)])
    assert result.mismatches == 0, result.first_mismatch()
    assert -128 in _values(result.rtl_lines) and 127 in _values(result.rtl_lines)


def test_a_perturbed_reference_disagrees(icarus, tmp_path):
    """The comparison can fail: the RTL's trace differs from a reference that drops 3 or 5 score bits
    instead of 4, or divides by twice the power of two."""
    spec = AttentionSpec(lanes=2, **SMALL)
    q, k, v = _operands(spec, 0)
    result = cosimulate(MacBaselineCore(spec), tmp_path, [(q, k, v)])
    assert result.mismatches == 0, result.first_mismatch()
    for wrong in (mac_softmax_attention(q, k, v, score_shift=3), mac_softmax_attention(q, k, v, score_shift=5),
                  mac_softmax_attention(q, k, v) >> 1):
        lines = tuple(f"Y {i} {int(y)}" for i, y in enumerate(wrong.ravel()))
        assert CosimResult(result.rtl_lines, lines, result.cycles).mismatches > len(lines) // 4


@pytest.mark.parametrize("mutation", [
    ("8'd128 >> gap[2:0]", "8'd127 >> gap[2:0]"),        # a wrong exponent table
    ("(best - s_word) >>> SH", "(best - s_word) >>> (SH - 1)"),  # a wrong temperature
    ("if (y_valid || rst) acc <= '0;", "if (rst) acc <= '0;"),  # accumulators not cleared per output
    (" + ($clog2(EW))'(esum[b - 1])", ""),  # dividing by the power of two below the weight sum
])
def test_a_mutated_core_is_caught(icarus, tmp_path, mutation):
    spec = AttentionSpec(lanes=2, **SMALL)
    runs = [_operands(spec, 0)]
    files = dict(MacBaselineCore(spec).emit(runs).files)
    old, new = mutation
    assert old in files["attn_mac_core.sv"]
    files["attn_mac_core.sv"] = files["attn_mac_core.sv"].replace(old, new)
    write_files(tmp_path, files)
    rtl, _ = run_icarus(tmp_path, MAC_SOURCES)
    expected = tuple(f"Y {i} {int(y)}" for i, y in enumerate(mac_softmax_attention(*runs[0]).ravel()))
    assert CosimResult(tuple(rtl), expected, 0).mismatches > 0


# what the benchmark counts: the yosys netlist, multiplies in SB_MAC16 (UP5K) or in LUTs (HX8K)
@pytest.mark.eda
@pytest.mark.parametrize("device", ["up5k", "hx8k"])
def test_synthesised_netlist_is_bit_true(icarus, tmp_path, device):
    spec = AttentionSpec(lanes=2, **SMALL)
    runs = [_operands(spec, 0), _operands(spec, 7, qk_range=128)]
    result = cosimulate_netlist(MacBaselineCore(spec), tmp_path, runs, device)
    assert result.mismatches == 0, result.first_mismatch()
    assert len(result.rtl_lines) == 2 * spec.num_heads * spec.tokens * spec.head_dim
    assert ("SB_MAC16" in (tmp_path / "mac_netlist.v").read_text()) == (device == "up5k")
