"""Board profiles: the part, the oscillator and the pins of sc_board_top on each supported board, and the
board target of one build (profile or custom pins, baud rate, core clock, PCF text).

Pin facts come from each board's published constraint file (cited beside each profile); pins are given FPGA
side (`uart_rx` is the pin the FPGA receives on). tests/unit/board/test_profiles.py checks every pin against
the package's pin list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from sc_neurocore.backends.board.pcf import BoardPins, board_pcf, check_board_pins, custom_pins
from sc_neurocore.backends.board.pll import DEFAULT_BAUD, ClockChoice, choose_core_clock
from sc_neurocore.backends.device import device as part
from sc_neurocore.errors import InputError

__all__ = ["BoardProfile", "BOARDS", "board_profile", "BoardTarget", "board_target", "CUSTOM_BOARD", "pll_primitive_for"]

CUSTOM_BOARD = "custom"
# The package pins whose input path the PLL's output A takes (the PAD PLL's PACKAGEPIN): IceStorm's
# pllinfo_db PLLOUT_A locations mapped through pinloc_db (YosysHQ/icestorm icebox/icebox.py @3cdcf4b0).
_PLL_PADS = {("up5k", "sg48"): {"35"}, ("hx8k", "ct256"): {"R9", "F7"}}
_CUSTOM_OSC_MHZ = 12.0  # a custom board's oscillator unless its PCF says `set_frequency clk_osc MHZ`


def pll_primitive_for(device: str, package: str, clock_pin: str) -> str:
    """The SB_PLL40 variant a clock entering on `clock_pin` needs: SB_PLL40_PAD on a PLL pad, else SB_PLL40_CORE."""
    return "SB_PLL40_PAD" if clock_pin in _PLL_PADS.get((device, package), set()) else "SB_PLL40_CORE"


@dataclass(frozen=True)
class BoardProfile:
    """One board: part, oscillator, the board top's pins and how it is programmed.

    `iceprog_args` / `openfpgaloader_args` go before the bitstream file.
    """

    name: str
    title: str
    device: str
    package: str
    osc_mhz: float
    pins: BoardPins
    led_active_low: bool
    uart: str
    programmer: str
    iceprog_args: tuple[str, ...]
    openfpgaloader_args: tuple[str, ...]
    notes: str
    source: str

    @property
    def pll_primitive(self) -> str:
        """SB_PLL40_PAD when the oscillator enters on the PLL's own pad (nextpnr cannot place SB_PLL40_CORE
        there: "couldn't be placed anywhere ... Did you mean to use a PAD PLL?"), else SB_PLL40_CORE."""
        return pll_primitive_for(self.device, self.package, self.pins.clk_osc)

    def as_record(self) -> dict[str, object]:
        """What a build records about its board (manifest, build report)."""
        return {"name": self.name, "device": self.device, "package": self.package, "osc_mhz": self.osc_mhz,
                "pins": self.pins.as_dict(), "led_active_low": self.led_active_low,
                "pll_primitive": self.pll_primitive, "programmer": self.programmer}


# iCEBreaker v1.0: YosysHQ/icestorm examples/icebreaker/icebreaker.pcf (commit d3a753f7d747b007f464a831d6b2b21e87991e46)
# and icebreaker-fpga/icebreaker-examples icebreaker/icebreaker.pcf (commit 92f9dae53460b6c98c28e0537ba1584f0051b6a8):
# CLK 35 (12 MHz), RX 6, TX 9 (FT2232H channel B, "RS232"), LEDG_N 37 (green, active low).
_ICEBREAKER = BoardProfile(
    name="icebreaker", title="iCEBreaker (iCE40UP5K-SG48)", device="up5k", package="sg48", osc_mhz=12.0,
    pins=BoardPins(clk_osc="35", uart_rx="6", uart_tx="9", led="37"), led_active_low=True,
    uart="FT2232H channel B (the second serial port of the board's USB connector)",
    programmer="iceprog", iceprog_args=(),
    openfpgaloader_args=("-b", "ice40_generic"),
    notes="iceprog writes the SPI flash (channel A); the UART is channel B of the same USB connection.",
    source="YosysHQ/icestorm examples/icebreaker/icebreaker.pcf @d3a753f7; "
           "icebreaker-fpga/icebreaker-examples icebreaker/icebreaker.pcf @92f9dae5",
)

# UPduino v3.0/3.1: tinyvision-ai-inc/UPduino-v3.0 RTL/common/upduino.pcf (commit 5419bd22676af855cb17b961aea41e19d0d6515c)
# and docs/source/features/specs.rst, docs/source/tutorials/oscillator.rst (repository commit
# 48e04e3cac04ba64d2ec64d75393b50fc6c17410): the 12 MHz oscillator reaches gpio_20 (IOB_25B_G3) only when
# the OSC jumper (R16) is shorted; led_green 39 (RGB0, active low). The FT232H is a USB-to-SPI device for
# the flash, so there is no USB UART to the FPGA: uart_rx gpio_2 (header pin 25) and uart_tx gpio_46
# (header pin 26) go to an external 3.3 V USB-UART adapter. gpio_35/37 are left free: the PLL's output
# uses gpio_35's input path.
_UPDUINO = BoardProfile(
    name="upduino-v3", title="UPduino v3.0/v3.1 (iCE40UP5K-SG48)", device="up5k", package="sg48", osc_mhz=12.0,
    pins=BoardPins(clk_osc="20", uart_rx="2", uart_tx="46", led="39"), led_active_low=True,
    uart="external 3.3 V USB-UART adapter on header pins 25 (gpio_2, FPGA receives) and 26 (gpio_46, FPGA "
         "sends); the board has no USB UART to the FPGA",
    programmer="iceprog", iceprog_args=(),
    openfpgaloader_args=("-b", "ice40_generic", "-c", "ft232"),
    notes="short the OSC jumper (R16) so the 12 MHz oscillator reaches pin 20; wire the adapter's TX to "
          "header pin 25, its RX to header pin 26 and GND to GND.",
    source="tinyvision-ai-inc/UPduino-v3.0 RTL/common/upduino.pcf @5419bd22; docs/source/features/specs.rst, "
           "docs/source/tutorials/oscillator.rst @48e04e3c",
)

# iCE40-HX8K Breakout Board: YosysHQ/picorv32 picosoc/hx8kdemo.pcf (commit 48f729d13c527f3d54ae480e69844e3768e91c93):
# clk J3 (12 MHz), ser_rx B10, ser_tx B12 (FT2232H channel B); YosysHQ/icestorm examples/hx8kboard/hx8kboard.pcf
# (commit f7cb6e8e07c9b314e5052c4b0416db422dbdeb7b): LED0 B5 (D9, active high).
_HX8K = BoardProfile(
    name="ice40-hx8k-breakout", title="iCE40-HX8K Breakout Board (iCE40HX8K-CT256)", device="hx8k",
    package="ct256", osc_mhz=12.0,
    pins=BoardPins(clk_osc="J3", uart_rx="B10", uart_tx="B12", led="B5"), led_active_low=False,
    uart="FT2232H channel B (the second serial port of the board's USB connector)",
    programmer="iceprog", iceprog_args=(),
    openfpgaloader_args=("-b", "ice40_generic"),
    notes="iceprog writes the SPI flash with the jumpers in their default (flash) position.",
    source="YosysHQ/picorv32 picosoc/hx8kdemo.pcf @48f729d1; YosysHQ/icestorm examples/hx8kboard/hx8kboard.pcf "
           "@f7cb6e8e",
)

BOARDS: Mapping[str, BoardProfile] = {board.name: board for board in (_ICEBREAKER, _UPDUINO, _HX8K)}


def board_profile(name: str) -> BoardProfile:
    """The profile called `name`; InputError listing the boards otherwise."""
    try:
        return BOARDS[name]
    except KeyError:
        raise InputError(f"unknown board {name!r}; choose one of {', '.join(BOARDS)} (or give the pins of a custom "
                         "board with --clock-pin, --uart-pins and --pcf)") from None


@dataclass(frozen=True)
class BoardTarget:
    """Everything a board build needs beyond the core: the board (a profile, or a custom one made from the
    pins given), the baud rate, the core clock (with its PLL settings, or none) and the board top's PCF."""

    profile: BoardProfile
    baud: int
    clock: ClockChoice
    pcf_text: str

    def as_record(self) -> dict[str, object]:
        pll = self.clock.pll
        return {**self.profile.as_record(), "baud": self.baud, "core_clock_mhz": self.clock.freq_mhz,
                "clks_per_bit": self.clock.clks_per_bit,
                "pll": None if pll is None else {"divr": pll.divr, "divf": pll.divf, "divq": pll.divq,
                                                 "filter_range": pll.filter_range, "f_out_mhz": pll.f_out_mhz},
                "clock_reason": self.clock.reason}


def _custom_profile(device: str, package: str | None, pins: BoardPins, osc_mhz: float) -> BoardProfile:
    package = package or part(device).default_package
    return BoardProfile(
        name=CUSTOM_BOARD, title=f"custom board ({device}-{package})", device=device, package=package,
        osc_mhz=osc_mhz, pins=pins, led_active_low=False, uart="as wired", programmer="iceprog", iceprog_args=(),
        openfpgaloader_args=("-b", "ice40_generic"), notes="pins given on the command line", source="user")


def board_target(board: str | None, device: str, package: str | None, max_mhz: float, baud: int = DEFAULT_BAUD,
                 pcf: Path | None = None, clock_pin: str | None = None, uart_pins: str | None = None) -> BoardTarget:
    """The board target of `deploy --board NAME` (a profile, its pins optionally overridden by `pcf`,
    `clock_pin`, `uart_pins`) or of a custom board (`board` None: the pins from those three on `device`-
    `package`). The core clock is the fastest at most `max_mhz` that `baud` divides (pll.choose_core_clock).
    """
    if board is not None:
        profile = board_profile(board)
        if pcf is not None or clock_pin is not None or uart_pins is not None:
            pins, osc = custom_pins(profile.device, profile.package, profile.pins, pcf, clock_pin, uart_pins)
            profile = replace(profile, pins=pins, osc_mhz=osc or profile.osc_mhz)
        else:
            check_board_pins(profile.pins, profile.device, profile.package)
    else:
        pins, osc = custom_pins(device, package, None, pcf, clock_pin, uart_pins)
        profile = _custom_profile(device, package, pins, osc or _CUSTOM_OSC_MHZ)
    clock = choose_core_clock(profile.osc_mhz, max_mhz, baud)
    return BoardTarget(profile, baud, clock, board_pcf(profile.pins, profile.title))
