"""Board profiles: pins exist in their packages, the PLL primitive fits the clock pin, the board target of a
build (profile, overrides, custom pins, clock) and, with the real tools, that each profile's pins place."""

import json
import re

import pytest

from sc_neurocore.backends.board.pcf import BoardPins, check_board_pins, package_pin_names
from sc_neurocore.backends.board.profiles import BOARDS, CUSTOM_BOARD, board_profile, board_target, pll_primitive_for
from sc_neurocore.backends.device import DEVICES
from sc_neurocore.errors import InputError


def test_the_three_boards():
    assert list(BOARDS) == ["icebreaker", "upduino-v3", "ice40-hx8k-breakout"]
    facts = {name: (b.device, b.package, b.osc_mhz, tuple(b.pins.as_dict().values()), b.pll_primitive)
             for name, b in BOARDS.items()}
    assert facts == {
        "icebreaker": ("up5k", "sg48", 12.0, ("35", "6", "9", "37"), "SB_PLL40_PAD"),
        "upduino-v3": ("up5k", "sg48", 12.0, ("20", "2", "46", "39"), "SB_PLL40_CORE"),
        "ice40-hx8k-breakout": ("hx8k", "ct256", 12.0, ("J3", "B10", "B12", "B5"), "SB_PLL40_CORE"),
    }


@pytest.mark.parametrize("name", list(BOARDS))
def test_every_profile_pin_exists_in_its_package_and_is_cited(name):
    board = BOARDS[name]
    assert board.package in DEVICES[board.device].packages
    assert check_board_pins(board.pins, board.device, board.package) == board.pins
    assert set(board.pins.as_dict().values()) <= package_pin_names(board.device, board.package)
    assert re.search(r"@[0-9a-f]{8}", board.source), "each profile cites the commit of its constraint file"
    assert board.programmer in ("iceprog", "openFPGALoader") and board.openfpgaloader_args[:2] == ("-b", "ice40_generic")
    json.dumps(board.as_record())


def test_upduino_says_it_needs_an_adapter_and_the_osc_jumper():
    board = BOARDS["upduino-v3"]
    assert "no USB UART" in board.uart and "adapter" in board.uart
    assert "OSC jumper" in board.notes
    # the PLL's output takes gpio_35's input path: no board-top input may sit there
    assert not {"35", "37"} & {board.pins.clk_osc, board.pins.uart_rx}
    assert board.openfpgaloader_args == ("-b", "ice40_generic", "-c", "ft232")  # FT232H, not the FT2232H default


def test_pll_primitive_follows_the_clock_pin():
    assert pll_primitive_for("up5k", "sg48", "35") == "SB_PLL40_PAD"
    assert pll_primitive_for("up5k", "sg48", "20") == "SB_PLL40_CORE"
    assert pll_primitive_for("hx8k", "ct256", "R9") == "SB_PLL40_PAD"
    assert pll_primitive_for("hx8k", "ct256", "J3") == "SB_PLL40_CORE"


def test_unknown_board_lists_the_boards():
    with pytest.raises(InputError, match="unknown board 'icestick'; choose one of icebreaker, upduino-v3, "
                                         "ice40-hx8k-breakout"):
        board_profile("icestick")


def test_board_target_of_a_profile():
    target = board_target("icebreaker", "up5k", None, max_mhz=50)
    assert target.profile is BOARDS["icebreaker"]
    assert (target.clock.freq_mhz, target.clock.clks_per_bit, target.baud) == (48.0, 16, 3_000_000)
    assert "set_io clk_osc 35" in target.pcf_text
    record = target.as_record()
    assert record["pll"]["divf"] == 63 and record["core_clock_mhz"] == 48.0 and record["name"] == "icebreaker"
    json.dumps(record)
    at_osc = board_target("ice40-hx8k-breakout", "up5k", None, max_mhz=12)
    assert at_osc.clock.pll is None and at_osc.as_record()["pll"] is None


def test_profile_pins_can_be_overridden_and_are_checked(tmp_path):
    target = board_target("upduino-v3", "up5k", None, max_mhz=12, uart_pins="4,3")
    assert target.profile.pins == BoardPins("20", "4", "3", "39") and target.profile.name == "upduino-v3"
    with pytest.raises(InputError, match="clk_osc: pin 99 does not exist on up5k-sg48"):
        board_target("icebreaker", "up5k", None, max_mhz=12, clock_pin="99")
    moved = board_target("icebreaker", "up5k", None, max_mhz=12, clock_pin="20")
    assert moved.profile.pll_primitive == "SB_PLL40_CORE"


def test_custom_board(tmp_path):
    pcf = tmp_path / "mine.pcf"
    pcf.write_text("set_io led C3\nset_frequency clk_osc 12\n")
    target = board_target(None, "hx8k", "ct256", max_mhz=40, pcf=pcf, clock_pin="J3", uart_pins="B10,B12")
    assert target.profile.name == CUSTOM_BOARD and target.profile.device == "hx8k"
    assert target.profile.pins == BoardPins("J3", "B10", "B12", "C3") and target.clock.freq_mhz == 39.0
    with pytest.raises(InputError, match="--baud 115200"):
        board_target(None, "hx8k", "ct256", max_mhz=40, pcf=pcf, clock_pin="J3", uart_pins="B10,B12", baud=115_200)


_PLL_TOP = """module pins_top(input clk_osc, input uart_rx, output uart_tx, output led);
  wire clk;
  {pll} #(.FEEDBACK_PATH("SIMPLE"), .DIVR(4'd{divr}), .DIVF(7'd{divf}), .DIVQ(3'd{divq}), .FILTER_RANGE(3'd{fr}))
    pll (.{ref}(clk_osc), .PLLOUTGLOBAL(clk), .RESETB(1'b1), .BYPASS(1'b0));
  reg [22:0] count;
  reg rx;
  always @(posedge clk) begin count <= count + 1; rx <= uart_rx; end
  assign led = count[22];
  assign uart_tx = rx;
endmodule
"""


@pytest.mark.eda
@pytest.mark.slow
@pytest.mark.parametrize("name", list(BOARDS))
def test_each_profile_places_with_its_pll(tmp_path, name):
    """The real yosys / nextpnr-ice40 / icepack flow: a design on the board top's four ports with the
    profile's PLL primitive at 48 MHz, constrained by the generated PCF, places, routes and packs."""
    from sc_neurocore.backends.flow.icestorm import Ice40Options, run_ice40_flow

    target = board_target(name, "up5k", None, max_mhz=50)
    pll = target.clock.pll
    ref = "PACKAGEPIN" if target.profile.pll_primitive == "SB_PLL40_PAD" else "REFERENCECLK"
    (tmp_path / "pins_top.v").write_text(_PLL_TOP.format(pll=target.profile.pll_primitive, divr=pll.divr,
                                                         divf=pll.divf, divq=pll.divq, fr=pll.filter_range, ref=ref))
    (tmp_path / "board.pcf").write_text(target.pcf_text)
    options = Ice40Options(device=target.profile.device, package=target.profile.package, freq_mhz=48.0,
                           pcf=tmp_path / "board.pcf", timeout_s=600)
    report = run_ice40_flow(tmp_path, "pins_top", ["pins_top.v"], options)
    assert report.bitstream.is_file() and report.bitstream.stat().st_size > 30_000
