"""SsmCore without tools: the fit check names what is missing and the folds that fit; a stimulus replaces
only the input words."""

from dataclasses import replace

import numpy as np
import pytest

from sc_neurocore.backends.cores.ssm.core import SsmCore
from sc_neurocore.backends.cores.ssm.design import STIMULUS_FILE, emit_ssm
from sc_neurocore.backends.cores.ssm.fit import ssm_ebr_estimate
from sc_neurocore.errors import FitError
from sc_neurocore.sim.twins.ssm import quantise_ssm, run_fixed_ssm
from sc_neurocore.transformers.spec import SsmSpec

SMALL = SsmSpec(d_model=8, d_state=16, T=3, lanes=2)


def test_too_many_lanes_name_the_dsps_and_the_folds_that_fit():
    with pytest.raises(FitError, match=r"^SSM layer with lanes=16 does not fit up5k: it needs 80 EBR \(has 30\), "
                                       r"16 SB_MAC16 multipliers \(has 8\); folds that fit: lanes=1, 2, 4$"):
        SsmCore(SsmSpec(lanes=16)).check_fit("up5k", None)
    SsmCore(SsmSpec()).check_fit("up5k", None)


def test_a_layer_too_big_for_every_fold_says_what_to_shrink():
    with pytest.raises(FitError, match=r"EBR \(has 16\); no fold fits: use a smaller d_model or d_state"):
        SsmCore(SsmSpec(d_model=64, d_state=512)).check_fit("hx1k", None)


def test_folds_keep_the_weights_and_formats():
    core = SsmCore(SMALL)
    folded = core.with_lanes(4)
    assert folded.lanes == 4 and folded.fixed.formats == core.fixed.formats
    np.testing.assert_array_equal(folded.fixed.b_int, core.fixed.b_int)
    assert core.lane_choices() == (1, 2, 4, 8)
    assert ssm_ebr_estimate(SMALL, core.fixed.formats.v_bits) > 0


def test_the_default_stimulus_is_the_twins_input_and_another_replaces_only_it():
    fixed = quantise_ssm(SMALL)
    core = SsmCore(SMALL, fixed)
    assert core.emit().files == core.with_stream(emit_ssm(SMALL, fixed)).files  # plus the stream port's files
    loud = np.full_like(fixed.x_int, 100)
    plan = core.emit(loud)
    assert plan.files[STIMULUS_FILE] == "64\n" * loud.size
    assert {k: v for k, v in plan.files.items() if k != STIMULUS_FILE} == \
        {k: v for k, v in core.emit().files.items() if k != STIMULUS_FILE}
    run = run_fixed_ssm(replace(fixed, x_int=loud))
    assert core.expected_trace(loud)[:SMALL.d_state] == [f"H 0 {n} {int(h)}" for n, h in enumerate(run.h[0])]
