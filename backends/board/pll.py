"""SB_PLL40 settings computed the way IceStorm's `icepll` computes them, and the choice of a board's core clock.

The search is icepll's (YosysHQ/icestorm, icepll/icepll.cc, commit 752c96abbfe565c5f22d76ca1c904866cba4ce1c),
SIMPLE feedback: for DIVR 0..15, DIVF 0..127, DIVQ 1..6, with the phase detector at f_in / (DIVR + 1) in
10-133 MHz and the VCO at f_pfd * (DIVF + 1) in 533-1066 MHz, the output f_vco / 2**DIVQ closest to the
request wins; the first one found wins a tie. FILTER_RANGE follows from f_pfd. Input 10-133 MHz, output
16-275 MHz.

The core clock of a board build: the UART runs at CLKS_PER_BIT = f_clk / baud, an integer of at least 4
(docs/host_link.md), so the clock is the highest frequency, reachable by the PLL or the oscillator itself,
that is an exact multiple of the baud rate and at most the requested maximum (the core's Fmax with a margin).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from sc_neurocore.errors import InputError

__all__ = [
    "DEFAULT_BAUD", "MIN_CLKS_PER_BIT", "PllSettings", "ClockChoice", "pll_settings", "reachable_frequencies",
    "choose_core_clock", "FMAX_MARGIN", "core_clock_limit",
]

DEFAULT_BAUD = 3_000_000
MIN_CLKS_PER_BIT = 4
FMAX_MARGIN = 0.85  # the core clock stays this fraction of the placed core's Fmax (seed-to-seed spread, temperature)
PLL_IN_MHZ = (10.0, 133.0)
PLL_OUT_MHZ = (16.0, 275.0)
PFD_MHZ = (10.0, 133.0)
VCO_MHZ = (533.0, 1066.0)
_DIVR = range(16)
_DIVF = range(128)  # SIMPLE feedback; 0..63 in the other modes
_DIVQ = range(1, 7)


@dataclass(frozen=True)
class PllSettings:
    """One SB_PLL40 configuration (SIMPLE feedback): the divider values as the primitive's parameters take
    them, and the frequencies they give."""

    f_in_mhz: float
    f_requested_mhz: float
    f_out_mhz: float
    divr: int
    divf: int
    divq: int
    filter_range: int
    f_pfd_mhz: float
    f_vco_mhz: float
    feedback: str = "SIMPLE"


def _filter_range(f_pfd: float) -> int:
    for limit, value in ((17, 1), (26, 2), (44, 3), (66, 4), (101, 5)):
        if f_pfd < limit:
            return value
    return 6


def _check_range(what: str, value: float, bounds: tuple[float, float]) -> None:
    if not bounds[0] <= value <= bounds[1]:
        raise InputError(f"PLL {what} frequency {value:.3f} MHz is outside {bounds[0]:g}-{bounds[1]:g} MHz")


def _vco_settings(f_in):
    """Every (DIVR, DIVF, VCO frequency) whose phase-detector and VCO frequencies are in range, in icepll's
    search order; `f_in` a float or a Fraction (the frequencies are computed in its type)."""
    for divr in _DIVR:
        f_pfd = f_in / (divr + 1)
        if not PFD_MHZ[0] <= f_pfd <= PFD_MHZ[1]:
            continue
        for divf in _DIVF:
            f_vco = f_pfd * (divf + 1)
            if VCO_MHZ[0] <= f_vco <= VCO_MHZ[1]:
                yield divr, divf, f_vco


def pll_settings(f_in_mhz: float, f_out_mhz: float) -> PllSettings:
    """icepll's answer for `f_in_mhz` -> `f_out_mhz`: the achievable output closest to the request."""
    _check_range("input", f_in_mhz, PLL_IN_MHZ)
    _check_range("output", f_out_mhz, PLL_OUT_MHZ)
    best = None
    for divr, divf, f_vco in _vco_settings(f_in_mhz):
        for divq in _DIVQ:
            f_out = f_vco * 2.0 ** -divq
            if best is None or abs(f_out - f_out_mhz) < abs(best[0] - f_out_mhz):
                best = (f_out, divr, divf, divq)
    if best is None:
        raise InputError(f"no PLL configuration takes {f_in_mhz:g} MHz to {f_out_mhz:g} MHz")
    f_out, divr, divf, divq = best
    f_pfd = f_in_mhz / (divr + 1)
    return PllSettings(f_in_mhz, f_out_mhz, f_out, divr, divf, divq, _filter_range(f_pfd), f_pfd, f_pfd * (divf + 1))


def reachable_frequencies(f_in_mhz: float) -> frozenset[Fraction]:
    """Every output frequency (MHz, exact) the PLL can make from `f_in_mhz` within the output range."""
    f_in = Fraction(str(f_in_mhz))
    found = set()
    for _divr, _divf, f_vco in _vco_settings(f_in):
        found.update(f for divq in _DIVQ if PLL_OUT_MHZ[0] <= (f := f_vco / 2 ** divq) <= PLL_OUT_MHZ[1])
    return frozenset(found)


@dataclass(frozen=True)
class ClockChoice:
    """The core clock of a board build. `pll` is None when the core runs at the oscillator's frequency."""

    freq_mhz: float
    clks_per_bit: int
    baud: int
    pll: PllSettings | None
    reason: str


def core_clock_limit(fmax_mhz: float | None, requested_mhz: float, margin: float = FMAX_MARGIN) -> float:
    """The `max_mhz` of choose_core_clock: the requested limit, lowered to `margin` x the core's Fmax when a
    placed build reported one (None: not known yet)."""
    return requested_mhz if fmax_mhz is None else min(requested_mhz, fmax_mhz * margin)


def _divides(f_mhz: Fraction, baud: int) -> int | None:
    """CLKS_PER_BIT when `baud` divides `f_mhz` exactly and leaves at least MIN_CLKS_PER_BIT, else None."""
    ratio = f_mhz * 1_000_000 / baud
    return int(ratio) if ratio.denominator == 1 and ratio >= MIN_CLKS_PER_BIT else None


def choose_core_clock(osc_mhz: float, max_mhz: float, baud: int = DEFAULT_BAUD) -> ClockChoice:
    """The highest clock at most `max_mhz` that the oscillator or its PLL gives and `baud` divides exactly
    (CLKS_PER_BIT >= 4). InputError when there is none (the message says which rates would work)."""
    if not isinstance(baud, int) or isinstance(baud, bool) or baud <= 0:
        raise InputError(f"--baud must be a positive whole number of bits per second, got {baud!r}")
    if not 0 < max_mhz < float("inf"):
        raise InputError(f"the core clock limit must be positive, got {max_mhz} MHz")
    osc = Fraction(str(osc_mhz))
    limit = Fraction(str(max_mhz))
    pll_ok = PLL_IN_MHZ[0] <= osc_mhz <= PLL_IN_MHZ[1]
    candidates = {osc} | (reachable_frequencies(osc_mhz) if pll_ok else set())
    usable = sorted((f for f in candidates if f <= limit and _divides(f, baud)), reverse=True)
    if not usable:
        raise InputError(_no_clock_message(osc, limit, baud, candidates))
    best = usable[0]
    clks = _divides(best, baud)
    bits = f"{baud:,} baud, {clks} clocks per bit"
    if best == osc:
        reason = (f"core clock {float(osc):g} MHz = the oscillator, no PLL ({bits}; the fastest exact multiple of "
                  f"the baud rate at most {float(limit):g} MHz)")
        return ClockChoice(float(osc), clks, baud, None, reason)
    pll = pll_settings(float(osc), float(best))
    if abs(pll.f_out_mhz - float(best)) > 1e-9:  # icepll's search must find the exact frequency
        raise AssertionError(f"icepll search gave {pll.f_out_mhz} MHz for {float(best)} MHz")
    reason = (f"core clock {float(best):g} MHz from the {float(osc):g} MHz oscillator through the PLL (DIVR {pll.divr}, "
              f"DIVF {pll.divf}, DIVQ {pll.divq}; {bits}): the fastest exact multiple of the baud rate at most "
              f"{float(limit):g} MHz")
    return ClockChoice(float(best), clks, baud, pll, reason)


def _no_clock_message(osc: Fraction, limit: Fraction, baud: int, candidates: set[Fraction]) -> str:
    exact = sorted(f for f in candidates if _divides(f, baud))
    hint = (f"the lowest clock it divides is {float(exact[0]):g} MHz; raise the clock limit (deploy --freq) or choose a baud rate "
            f"such as {_rates_for(osc)}" if exact else f"no clock from a {float(osc):g} MHz oscillator divides it; "
            f"choose a baud rate such as {_rates_for(osc)}")
    return (f"--baud {baud}: no clock at most {float(limit):g} MHz is an exact multiple of it with at least "
            f"{MIN_CLKS_PER_BIT} clocks per bit ({hint})")


def _rates_for(osc: Fraction) -> str:
    """Baud rates the oscillator itself divides (at least 4 clocks per bit), fastest first."""
    hz = osc * 1_000_000
    rates = [int(hz / n) for n in range(MIN_CLKS_PER_BIT, 4096) if (hz / n).denominator == 1][:3]
    return ", ".join(f"{rate:,}" for rate in rates) if rates else "one that divides the oscillator"
