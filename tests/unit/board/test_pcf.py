"""Pin constraints of the board top: package pin lists, pin checks, the generated PCF, custom-board pins."""

import random

import pytest

from sc_neurocore.backends.board.pcf import (
    BOARD_PORTS, BoardPins, board_pcf, check_board_pins, check_pin, custom_pins, package_pin_names, parse_uart_pins,
    read_board_pcf,
)
from sc_neurocore.backends.device import DEVICES
from sc_neurocore.backends.flow.pcf import check_pcf
from sc_neurocore.errors import InputError

ICEBREAKER = BoardPins(clk_osc="35", uart_rx="6", uart_tx="9", led="37")


@pytest.mark.parametrize("device, package", [(d.name, p) for d in DEVICES.values() for p in d.packages])
def test_pin_lists_agree_with_the_device_model(device, package):
    assert len(package_pin_names(device, package)) == DEVICES[device].packages[package]


def test_known_pins():
    assert {"35", "6", "9", "37", "20", "39"} <= package_pin_names("up5k", "sg48")
    assert not {"1", "5", "7", "8", "22", "24", "29", "30", "33"} & package_pin_names("up5k", "sg48")  # power, CRESET...
    assert {"J3", "B10", "B12", "B5", "R9"} <= package_pin_names("hx8k", "ct256")
    assert package_pin_names("up5k") == package_pin_names("up5k", "sg48")


@pytest.mark.parametrize("pin, device, package, expected", [
    ("35", "up5k", "sg48", "35"), (" 035 ", "up5k", "sg48", "35"), ("j3", "hx8k", "ct256", "J3"), ("B10", "hx8k", None, "B10"),
    ("J03", "hx8k", "ct256", "J3"),
])
def test_pins_are_normalised(pin, device, package, expected):
    assert check_pin(pin, device, package) == expected


@pytest.mark.parametrize("pin, device, package, fragment", [
    ("1", "up5k", "sg48", "pin 1 does not exist on up5k-sg48 (it has 39 IO pins: 2, 3, 4"),
    ("49", "up5k", "sg48", "pin 49 does not exist"),
    ("J3", "up5k", "sg48", "pin J3 does not exist on up5k-sg48"),
    ("35", "hx8k", "ct256", "pin 35 does not exist on hx8k-ct256 (it has 206 IO pins: A1, A2"),
    ("Z99", "hx8k", "ct256", "pin Z99 does not exist"),
    ("3;5", "up5k", "sg48", "is not a package pin name"),
    ("", "up5k", "sg48", "is not a package pin name"),
    ("0", "up5k", "sg48", "pin 0 does not exist on up5k-sg48"),
    ("35", "up5k", "qfn99", "package 'qfn99' does not exist for up5k"),
])
def test_bad_pins_are_one_line_input_errors(pin, device, package, fragment):
    with pytest.raises(InputError) as error:
        check_pin(pin, device, package, "clk_osc")
    assert fragment in str(error.value) and "\n" not in str(error.value)


def test_seeded_random_pins_are_accepted_exactly_when_listed():
    rng = random.Random(5)
    names = package_pin_names("hx8k", "ct256")
    for _ in range(300):
        pin = f"{rng.choice('ABCDEFGHJKLMNPRTZ')}{rng.randint(0, 17)}"
        if pin in names:
            assert check_pin(pin, "hx8k", "ct256") == pin
        else:
            with pytest.raises(InputError):
                check_pin(pin, "hx8k", "ct256")


def test_two_ports_on_one_pin_are_refused():
    with pytest.raises(InputError, match="uart_rx and uart_tx are both on pin 6"):
        check_board_pins(BoardPins("35", "6", "6", "37"), "up5k", "sg48")


def test_generated_pcf_passes_the_flow_check_and_names_every_port(tmp_path):
    text = board_pcf(ICEBREAKER, "iCEBreaker")
    path = tmp_path / "board.pcf"
    path.write_text(text)
    check_pcf(path)  # the flow's own PCF check (set_io lines and comments only)
    lines = [line for line in text.splitlines() if line.startswith("set_io")]
    assert [line.split()[-2:] for line in lines] == [[port, pin] for port, pin in ICEBREAKER.as_dict().items()]
    assert "set_io -pullup yes uart_rx 6" in lines
    assert "set_frequency" not in text
    assert board_pcf(ICEBREAKER, "x", osc_mhz=12.0).splitlines()[-1] == "set_frequency clk_osc 12"


@pytest.mark.parametrize("text, fragment", [
    ("RX,", "--uart-pins takes RX,TX"), ("6", "--uart-pins takes RX,TX"), ("6,9,10", "--uart-pins takes RX,TX"),
])
def test_uart_pins_syntax(text, fragment):
    with pytest.raises(InputError, match=fragment):
        parse_uart_pins(text)
    assert parse_uart_pins(" 6 , 9") == ("6", "9")


def test_custom_pins_merge_file_then_flags(tmp_path):
    pcf = tmp_path / "my.pcf"
    pcf.write_text("# my board\nset_io -nowarn CLK 35\nset_io led 11\nset_io uart_rx 4\nset_frequency clk_osc 12\n"
                   "set_frequency CLK 12\n")
    pins, osc = custom_pins("up5k", "sg48", pcf=pcf, clock_pin="35", uart_pins="6,9")
    assert pins == BoardPins("35", "6", "9", "11") and osc == 12.0
    pins, osc = custom_pins("up5k", "sg48", base=ICEBREAKER, uart_pins="2,3")
    assert pins == BoardPins("35", "2", "3", "37") and osc is None


@pytest.mark.parametrize("content, kwargs, fragment", [
    ("set_io led 11\n", {}, "needs a pin for clk_osc, uart_rx, uart_tx (clk_osc: --clock-pin PIN; uart_rx: --uart-pins"),
    ("", {"clock_pin": "35", "uart_pins": "6,9"}, "needs a pin for led (led: a `set_io led PIN` line in --pcf)"),
    ("set_io led 11\n", {"clock_pin": "36", "uart_pins": "6,99"}, "uart_tx: pin 99 does not exist on up5k-sg48"),
    ("set_io led 11\nset_property foo\n", {}, "line 2: expected `set_io <port> <pin>` or `set_frequency"),
    ("set_frequency clk_osc 0\n", {}, "line 1: clk_osc frequency 0 MHz is not a plausible oscillator"),
])
def test_custom_pin_errors(tmp_path, content, kwargs, fragment):
    pcf = tmp_path / "my.pcf"
    pcf.write_text(content)
    with pytest.raises(InputError) as error:
        custom_pins("up5k", "sg48", pcf=pcf, **kwargs)
    assert fragment in str(error.value) and "\n" not in str(error.value)


def test_unreadable_pcf_files(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read_board_pcf(tmp_path / "missing.pcf")
    with pytest.raises(InputError, match="is not a regular file"):
        read_board_pcf(tmp_path)
    binary = tmp_path / "binary.pcf"
    binary.write_bytes(b"set_io led 1\n\xff\xfe")
    with pytest.raises(InputError, match="not UTF-8 text"):
        read_board_pcf(binary)


def test_ports_match_the_board_top_of_host_link_doc():
    assert BOARD_PORTS == ("clk_osc", "uart_rx", "uart_tx", "led")
