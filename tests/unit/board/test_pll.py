"""SB_PLL40 settings against icepll's published search, and the core clock choice of a board build.

The expected tuples (DIVR, DIVF, DIVQ, FILTER_RANGE, achieved MHz) follow from icepll's algorithm
(YosysHQ/icestorm icepll/icepll.cc: SIMPLE feedback, the first closest output in DIVR, DIVF, DIVQ order
wins) and are what icepll prints for them; `test_matches_the_real_icepll` runs the real binary (Debian's
fpga-icestorm, installed by `make test-tools`) on seeded random requests.
"""

import random
import re
import subprocess
from fractions import Fraction

import pytest

from sc_neurocore.backends.board.pll import (
    FMAX_MARGIN, choose_core_clock, core_clock_limit, pll_settings, reachable_frequencies,
)
from sc_neurocore.errors import InputError
from tests.conftest import require_executable

# f_in, f_out -> divr, divf, divq, filter_range, achieved MHz
ICEPLL_OUTPUTS = [
    (12, 48, (0, 63, 4, 1, 48.0)),        # VCO 768 = 12 * 64, / 2**4
    (12, 30, (0, 79, 5, 1, 30.0)),        # VCO 960, / 2**5
    (12, 60, (0, 79, 4, 1, 60.0)),        # VCO 960, / 2**4
    (12, 72, (0, 47, 3, 1, 72.0)),        # VCO 576, / 2**3 (the 115200-baud clock)
    (12, 99, (0, 65, 3, 1, 99.0)),        # VCO 792, / 2**3
    (12, 100, (0, 66, 3, 1, 100.5)),      # 12 * 67 / 8: 100 is not reachable; 100.5 is closer than 99
    (12, 16, (0, 84, 6, 1, 15.9375)),     # 12 * 85 / 64; 16.125 (12 * 86 / 64) is farther
    (16, 50, (0, 49, 4, 1, 50.0)),        # PFD 16, VCO 800
    (25, 50, (0, 31, 4, 2, 50.0)),        # DIVR 0 comes first: PFD 25 (FILTER_RANGE 2), not 12.5
    (100, 33, (8, 94, 5, 1, 1055.5555555555557 / 32)),  # PFD 11.1 (DIVR 8), VCO 1055.6: 32.986
    (10, 275, (0, 54, 1, 1, 275.0)),      # the output ceiling, PFD at its 10 MHz floor
    (133, 16, (9, 76, 6, 1, 16.0015625)), # the input ceiling: PFD 13.3, VCO 1024.1, / 64
]


@pytest.mark.parametrize("f_in, f_out, expected", ICEPLL_OUTPUTS)
def test_known_icepll_outputs(f_in, f_out, expected):
    pll = pll_settings(f_in, f_out)
    assert (pll.divr, pll.divf, pll.divq, pll.filter_range) == expected[:4]
    assert pll.f_out_mhz == pytest.approx(expected[4], abs=1e-9)
    assert pll.f_pfd_mhz == pytest.approx(f_in / (pll.divr + 1))
    assert 533 <= pll.f_vco_mhz <= 1066 and 10 <= pll.f_pfd_mhz <= 133
    assert pll.f_out_mhz == pytest.approx(pll.f_vco_mhz / 2 ** pll.divq)


def test_settings_are_frozen():
    with pytest.raises(AttributeError):
        pll_settings(12, 48).divf = 1


@pytest.mark.parametrize("f_in, f_out, fragment", [(9, 48, "input frequency 9.000"), (12, 15, "output frequency 15"),
                                                   (12, 300, "outside 16-275")])
def test_out_of_range_requests_are_input_errors(f_in, f_out, fragment):
    with pytest.raises(InputError, match=fragment):
        pll_settings(f_in, f_out)


def _icepll(path: str, f_in: float, f_out: float) -> tuple[int, int, int, int, float]:
    text = subprocess.run([path, "-i", f"{f_in}", "-o", f"{f_out}"], capture_output=True, text=True,
                          check=True, timeout=30).stdout
    field = {key: int(re.search(rf"{key}:\s+(\d+)", text).group(1)) for key in ("DIVR", "DIVF", "DIVQ", "FILTER_RANGE")}
    achieved = float(re.search(r"F_PLLOUT:\s+([\d.]+) MHz \(achieved\)", text).group(1))
    return field["DIVR"], field["DIVF"], field["DIVQ"], field["FILTER_RANGE"], achieved


def test_matches_the_real_icepll():
    """The real icepll binary (fpga-icestorm) against our search: the table above and 60 seeded random
    requests over the whole input and output range."""
    icepll = require_executable("icepll")
    rng = random.Random(2026)
    requests = [(f_in, f_out) for f_in, f_out, _ in ICEPLL_OUTPUTS]
    requests += [(round(rng.uniform(10, 133), 3), round(rng.uniform(16, 275), 3)) for _ in range(60)]
    for f_in, f_out in requests:
        divr, divf, divq, filter_range, achieved = _icepll(icepll, f_in, f_out)
        ours = pll_settings(f_in, f_out)
        assert (ours.divr, ours.divf, ours.divq, ours.filter_range) == (divr, divf, divq, filter_range), (f_in, f_out)
        assert round(ours.f_out_mhz, 3) == pytest.approx(achieved, abs=1e-3)


def test_reachable_frequencies_are_exact_and_in_range():
    reachable = reachable_frequencies(12)
    assert Fraction(48) in reachable and Fraction(201, 2) in reachable and Fraction(100) not in reachable
    assert all(16 <= f <= 275 for f in reachable)
    # from 12 MHz only DIVR 0 keeps the phase detector at 10 MHz or more: every output is 12 * k / 2**q
    assert all((f * 64 / 12).denominator == 1 for f in reachable)


@pytest.mark.parametrize("max_mhz, freq, clks, pll", [
    (12, 12.0, 4, None),              # the oscillator itself: 12 MHz / 3 Mbaud = 4
    (13.5, 12.0, 4, None),            # nothing between 12 and 13.5 is a multiple of 3 MHz
    (30, 30.0, 10, (0, 79, 5)),
    (50, 48.0, 16, (0, 63, 4)),       # 51 is reachable but above the limit
    (100, 99.0, 33, (0, 65, 3)),
])
def test_core_clock_at_3_mbaud(max_mhz, freq, clks, pll):
    choice = choose_core_clock(12, max_mhz)
    assert (choice.freq_mhz, choice.clks_per_bit, choice.baud) == (freq, clks, 3_000_000)
    assert (None if choice.pll is None else (choice.pll.divr, choice.pll.divf, choice.pll.divq)) == pll
    assert "\n" not in choice.reason and f"{freq:g} MHz" in choice.reason
    assert ("no PLL" in choice.reason) == (pll is None)


def test_core_clock_properties_on_seeded_limits():
    """For random limits and rates: the choice divides exactly, is reachable, and nothing faster would do."""
    rng = random.Random(11)
    reachable = reachable_frequencies(12) | {Fraction(12)}
    for _ in range(40):
        baud = rng.choice([3_000_000, 2_000_000, 1_000_000, 921_600, 460_800, 115_200])
        limit = round(rng.uniform(12, 200), 2)
        try:
            choice = choose_core_clock(12, limit, baud)
        except InputError:
            assert not any(f <= Fraction(str(limit)) and (f * 10**6 / baud).denominator == 1 and f * 10**6 / baud >= 4
                           for f in reachable)
            continue
        f = Fraction(str(choice.freq_mhz))
        assert f in reachable and f <= Fraction(str(limit))
        assert f * 10**6 / baud == choice.clks_per_bit >= 4
        assert not any(f < g <= Fraction(str(limit)) and (g * 10**6 / baud).denominator == 1 for g in reachable)


def test_115200_baud_needs_72_mhz():
    assert choose_core_clock(12, 100, 115_200).freq_mhz == 72.0
    with pytest.raises(InputError, match=r"--baud 115200: .*lowest clock it divides is 72 MHz"):
        choose_core_clock(12, 50, 115_200)


@pytest.mark.parametrize("baud", [1_000_003, 0, -9600])
def test_rates_no_clock_divides_are_refused(baud):
    with pytest.raises(InputError, match="--baud"):
        choose_core_clock(12, 100, baud)


def test_slow_oscillator_without_pll_still_works():
    # 8 MHz is below the PLL's 10 MHz input floor: only the oscillator itself is a candidate
    choice = choose_core_clock(8, 100, 2_000_000)
    assert choice.pll is None and choice.freq_mhz == 8.0 and choice.clks_per_bit == 4


def test_core_clock_limit_keeps_a_margin_below_fmax():
    assert core_clock_limit(None, 50.0) == 50.0
    assert core_clock_limit(27.36, 72.0) == pytest.approx(27.36 * FMAX_MARGIN)
    assert core_clock_limit(200.0, 50.0) == 50.0
    # a core placed at 27.4 MHz (the demo LIF network) runs at 21 MHz at 3 Mbaud, not 24
    assert choose_core_clock(12, core_clock_limit(27.36, 72.0)).freq_mhz == 21.0
