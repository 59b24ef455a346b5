"""The CPG encoder spec and its phase-accumulator twin: windows, agreement with the float CPG-PE."""

import math

import numpy as np
import pytest

from sc_neurocore.errors import InputError
from sc_neurocore.sim.twins.cpg import cpg_constants, cpg_report, run_fixed_cpg
from sc_neurocore.transformers.spec import CpgSpec, spec_from_dict


def test_windows_are_where_sin_and_cos_reach_the_threshold():
    spec = CpgSpec(phase_bits=12)
    k = cpg_constants(spec)
    turn = 1 << 12
    phase = np.arange(turn)
    sin_hot = np.sin(2 * np.pi * phase / turn) >= 0.8
    cos_hot = np.cos(2 * np.pi * phase / turn) >= 0.8
    assert np.array_equal(sin_hot, (phase >= k.lo) & (phase <= k.hi))
    assert np.array_equal(cos_hot, (phase <= k.cw) | (phase >= turn - k.cw))
    assert k.increments[0] == round(turn / (2 * math.pi))


def test_twin_agrees_with_float_cpg_pe_and_accumulates_phases():
    spec = CpgSpec()
    phases, spikes = run_fixed_cpg(spec)
    assert np.array_equal(phases[5], (phases[4] + cpg_constants(spec).increments) % (1 << 16))
    report = cpg_report(spec)
    assert report["spike_agreement"] == 1.0 and 0.2 < report["spike_rate"] < 0.6
    assert cpg_report(CpgSpec(phase_bits=8))["spike_agreement"] < 1.0  # coarse phases cost agreement


@pytest.mark.parametrize("bad, message", [
    ({"d_model": 63}, "even"), ({"lanes": 3}, "choose lanes from"), ({"phase_bits": 4}, "phase_bits"),
])
def test_bad_cpg_specs_say_what_to_change(bad, message):
    with pytest.raises(InputError, match=message):
        spec_from_dict({"block": "cpg_encoder", **bad})
