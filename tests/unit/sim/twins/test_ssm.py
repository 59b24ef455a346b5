"""The SSM spec and its integer twin: validation, formats, saturation, agreement with the float model."""

from dataclasses import replace

import numpy as np
import pytest

from sc_neurocore.errors import InputError
from sc_neurocore.sim.twins.ssm import quantise_ssm, run_fixed_ssm, ssm_report
from sc_neurocore.transformers.spec import AttentionSpec, SsmSpec, spec_from_dict

SMALL = SsmSpec(d_model=8, d_state=16, T=12, dt=0.1, threshold=0.25)


def test_block_key_picks_the_spec_class():
    assert isinstance(spec_from_dict({"block": "spiky_state_space", "d_model": 8, "d_state": 16}), SsmSpec)
    assert isinstance(spec_from_dict({"embed_dim": 16, "num_heads": 2}), AttentionSpec)
    with pytest.raises(InputError, match="embed_dim"):
        spec_from_dict({"block": "spiky_state_space", "embed_dim": 16})
    with pytest.raises(InputError, match="not supported"):
        AttentionSpec(block="spiky_state_space")


@pytest.mark.parametrize("bad, message", [
    ({"lanes": 3}, "choose lanes from \\[1, 2, 4, 8\\]"),
    ({"state_bits": 17}, "state_bits"),
    ({"dt": 0}, "dt"),
    ({"d_state": 0}, "d_state"),
])
def test_bad_ssm_specs_say_what_to_change(bad, message):
    with pytest.raises(InputError, match=message):
        SsmSpec(**{**SMALL.__dict__, **bad})


def test_formats_keep_the_state_inside_its_bits_and_the_twin_tracks_float():
    fixed = quantise_ssm(SMALL)
    f = fixed.formats
    assert f.su == f.fx + f.fb - f.fh >= 0 and f.theta == round(0.25 * 2 ** (f.fh + f.fc))
    run = run_fixed_ssm(fixed)
    assert 0 < np.abs(run.h).max() < 2 ** 15 // 2, "calibration leaves headroom and uses the bits"
    report = ssm_report(fixed)
    assert report["spike_agreement"] > 0.95 and report["fixed_spike_rate"] > 0.05


def test_state_saturates_instead_of_wrapping():
    quiet = np.full((6, 8), 0.01)
    quiet[0, 0] = 1.0  # the input scale covers 1.0, the state scale only the quiet input
    fixed = quantise_ssm(replace(SMALL, state_bits=12), quiet)
    h = run_fixed_ssm(replace(fixed, x_int=np.full_like(fixed.x_int, 2 ** 7 - 1))).h
    assert h.max() == 2 ** 11 - 1 and h.min() == -(2 ** 11)


def test_decay_is_a_q15_fraction_below_one():
    fixed = quantise_ssm(SMALL)
    assert np.all((fixed.a_int > 0) & (fixed.a_int < 2 ** 15))
    assert np.all(np.diff(fixed.a_int) < 0)  # S4D-Real: faster decay for higher states
