"""`deploy --board/--baud/--clock-pin/--uart-pins`: checked before any work, and where the board ends up.

The tool flow is replaced by a stub that records what deploy would build with (device, package, clock,
PCF, provenance) and stops; nothing here runs yosys or nextpnr.
"""

from types import SimpleNamespace

import pytest
import typer

from sc_neurocore.cli.app import main
from sc_neurocore.cli.commands import deploy as deploy_command
from tests.conftest import REPO

DEMO = str(REPO / "examples" / "demo_lif.nir")


@pytest.fixture
def captured(monkeypatch):
    calls = []

    def stub(core, out_dir, hardware, force, provenance, board=None):
        calls.append({"hardware": hardware, "provenance": provenance, "board": board})
        raise typer.Exit(0)

    monkeypatch.setattr(deploy_command, "deploy_core", stub)
    return calls


def _deploy(capsys, tmp_path, *options):
    code = main(["deploy", DEMO, "-o", str(tmp_path / "out"), *map(str, options)])
    return code, capsys.readouterr().err


def test_board_sets_part_clock_and_records_the_target(tmp_path, capsys, captured):
    code, err = _deploy(capsys, tmp_path, "--board", "icebreaker", "--freq", "50")
    assert code == 0, err
    hardware, options = captured[0]["hardware"], captured[0]["provenance"]["options"]
    assert (hardware.device, hardware.package, hardware.freq_mhz, hardware.pcf) == ("up5k", "sg48", 48.0, None)
    assert captured[0]["board"].clock.freq_mhz == 48.0 and captured[0]["board"].profile.name == "icebreaker"
    board = options["board"]
    assert board["name"] == "icebreaker" and board["baud"] == 3_000_000 and board["clks_per_bit"] == 16
    assert (board["pll"]["divr"], board["pll"]["divf"], board["pll"]["divq"]) == (0, 63, 4)
    assert board["pll_primitive"] == "SB_PLL40_PAD" and "48 MHz" in board["clock_reason"]


def test_board_replaces_the_default_device(tmp_path, capsys, captured):
    code, err = _deploy(capsys, tmp_path, "--board", "ice40-hx8k-breakout")
    assert code == 0, err
    hardware = captured[0]["hardware"]
    assert (hardware.device, hardware.package, hardware.freq_mhz) == ("hx8k", "ct256", 12.0)
    assert captured[0]["provenance"]["options"]["board"]["pll"] is None  # 12 MHz: the oscillator, no PLL


def test_matching_device_and_package_are_accepted(tmp_path, capsys, captured):
    code, err = _deploy(capsys, tmp_path, "--board", "upduino-v3", "--device", "up5k", "--package", "sg48")
    assert code == 0, err


def test_without_a_board_nothing_changes(tmp_path, capsys, captured):
    pcf = tmp_path / "core.pcf"
    pcf.write_text("set_io clk 35\n")
    code, err = _deploy(capsys, tmp_path, "--pcf", pcf)
    assert code == 0, err
    assert captured[0]["hardware"].pcf == pcf and "board" not in captured[0]["provenance"]["options"]


def test_custom_board(tmp_path, capsys, captured):
    pcf = tmp_path / "mine.pcf"
    pcf.write_text("set_io led C3\n")
    code, err = _deploy(capsys, tmp_path, "--device", "hx8k", "--pcf", pcf, "--clock-pin", "J3", "--uart-pins",
                        "B10,B12", "--freq", "40", "--baud", "2000000")
    assert code == 0, err
    hardware, board = captured[0]["hardware"], captured[0]["provenance"]["options"]["board"]
    assert (hardware.device, hardware.package, hardware.freq_mhz, hardware.pcf) == ("hx8k", "ct256", 36.0, None)
    assert board["name"] == "custom" and board["pins"] == {"clk_osc": "J3", "uart_rx": "B10", "uart_tx": "B12",
                                                           "led": "C3"}
    assert board["clks_per_bit"] == 18  # 40 MHz is not 12 * k / 2**q; 36 MHz is, and 2 Mbaud divides it


@pytest.mark.parametrize("options, fragment", [
    (["--board", "icestick"], "unknown board 'icestick'; choose one of icebreaker, upduino-v3, ice40-hx8k-breakout"),
    (["--board", "icebreaker", "--device", "hx8k"], "--board icebreaker is up5k-sg48; --device hx8k conflicts"),
    (["--board", "icebreaker", "--package", "uwg30"], "--board icebreaker is up5k-sg48; --package uwg30 conflicts"),
    (["--baud", "115200"], "--baud sets the UART of a board build; add --board NAME"),
    (["--board", "icebreaker", "--baud", "115200"], "--baud 115200: no clock at most 12 MHz is an exact multiple"),
    (["--board", "icebreaker", "--baud", "0"], "--baud must be a positive whole number"),
    (["--board", "icebreaker", "--baud", "1000003", "--freq", "200"], "no clock from a 12 MHz oscillator divides it"),
    (["--board", "upduino-v3", "--uart-pins", "2,99"], "uart_tx: pin 99 does not exist on up5k-sg48"),
    (["--board", "upduino-v3", "--uart-pins", "2"], "--uart-pins takes RX,TX"),
    (["--board", "upduino-v3", "--clock-pin", "2"], "clk_osc and uart_rx are both on pin 2"),
    (["--clock-pin", "35", "--uart-pins", "6,9"], "a custom board needs a pin for led"),
    (["--board", "ice40-hx8k-breakout", "--clock-pin", "35"], "clk_osc: pin 35 does not exist on hx8k-ct256"),
])
def test_bad_board_options_are_one_line_and_exit_2(tmp_path, capsys, captured, options, fragment):
    code, err = _deploy(capsys, tmp_path, *options)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and fragment in lines[0], err
    assert not captured, "nothing may be built on bad input"


def test_freq_auto_places_again_at_the_fastest_clock_the_first_placement_allows(tmp_path, capsys, monkeypatch):
    calls = []

    def stub(core, out_dir, hardware, force, provenance, board=None):
        calls.append((hardware.freq_mhz, board.clock.freq_mhz, force))
        report = SimpleNamespace(slowest_fmax_mhz=27.9 if len(calls) == 1 else 24.6, to_dict=lambda: {})
        return SimpleNamespace(report=report, manifest={}, extra={})

    monkeypatch.setattr(deploy_command, "deploy_core", stub)
    code = main(["deploy", DEMO, "-o", str(tmp_path / "out"), "--board", "icebreaker", "--freq", "auto", "--json"])
    assert code == 0, capsys.readouterr().err
    # 85 % of 27.9 MHz is 23.7 MHz: 21 MHz is the fastest PLL clock at most that which 3 Mbaud divides
    assert calls == [(12.0, 12.0, False), (21.0, 21.0, True)]


@pytest.mark.parametrize("options, message", [
    (["--freq", "auto"], "--freq auto chooses a board build's core clock"),
    (["--freq", "fast"], "--freq must be a number of MHz or auto"),
    (["--board", "icebreaker", "--freq", "-3"], "--freq must be positive"),
])
def test_freq_values_that_cannot_be_used(tmp_path, capsys, captured, options, message):
    code, err = _deploy(capsys, tmp_path, *options)
    assert code == 2 and message in err
