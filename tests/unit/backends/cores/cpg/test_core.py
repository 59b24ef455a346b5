"""CpgCore without tools: the fit check names the folds that fit; the stimulus is a position count."""

import pytest

from sc_neurocore.backends.cores.cpg.core import CpgCore
from sc_neurocore.backends.cores.cpg.design import emit_cpg
from sc_neurocore.backends.cores.cpg.fit import cpg_ebr_estimate
from sc_neurocore.errors import FitError
from sc_neurocore.transformers.spec import CpgSpec


def test_too_many_lanes_for_the_pins_name_the_folds_that_fit():
    with pytest.raises(FitError, match=r"^CPG encoder with lanes=32 does not fit up5k: it needs 69 IO pins "
                                       r"\(has 39\), 64 EBR \(has 30\); folds that fit: lanes=1, 2, 4, 8$"):
        CpgCore(CpgSpec(lanes=32)).check_fit("up5k", None)
    CpgCore(CpgSpec(lanes=8)).check_fit("up5k", None)
    assert cpg_ebr_estimate(CpgSpec()) == 2


def test_the_stimulus_is_the_number_of_positions():
    core = CpgCore(CpgSpec(positions=40, lanes=4))
    assert core.emit().files == core.with_stream(emit_cpg(core.spec)).files  # plus the stream port's files
    assert len(core.expected_trace()) == 40 * 32 and len(core.expected_trace(5)) == 5 * 32
    assert core.expected_trace(5) == core.expected_trace()[:5 * 32]
    assert core.with_lanes(2).lanes == 2 and core.lane_choices() == (1, 2, 4, 8, 16, 32)
