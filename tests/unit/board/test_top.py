"""The board top's SystemVerilog: its ports, the PLL (or none), the link's parameters, refused inputs."""

import pytest

from sc_neurocore.errors import InputError
from sc_neurocore.backends.board.pll import pll_settings
from sc_neurocore.backends.board.top import LINK_SOURCES, board_files, board_top

BUILD_ID = bytes.fromhex("00112233445566778899aabbccddeeff")
HEADER = "module sc_board_top (input logic clk_osc, input logic uart_rx, output logic uart_tx, output logic led);"


def test_without_pll_the_core_runs_on_the_oscillator():
    text = board_top("snn_core_stream", 17, 24, 4, 256, BUILD_ID, None)
    assert HEADER in text
    assert "SB_PLL40_CORE" not in text and "assign clk = clk_osc;" in text
    assert ".IN_BITS(17), .OUT_BITS(24), .CLKS_PER_BIT(4)" in text
    assert ".MAX_PAYLOAD(256), .BUILD_ID(128'h00112233445566778899aabbccddeeff), .TIMEOUT_BITS(65536)" in text
    assert "snn_core_stream u_stream (" in text
    assert "assign led = status[0];" in text


def test_with_pll_it_is_bypassed_only_in_simulation():
    pll = pll_settings(12.0, 60.0)
    text = board_top("x_stream", 8, 8, 4, 64, BUILD_ID, pll, timeout_bits=500)
    simulation, hardware = text.split("`ifdef SIMULATION")[1].split("`else")
    assert "assign clk = clk_osc;" in simulation and "SB_PLL40_CORE" not in simulation
    assert "SB_PLL40_CORE" in hardware and ".REFERENCECLK(clk_osc)" in hardware
    for parameter in (f".DIVR(4'd{pll.divr})", f".DIVF(7'd{pll.divf})", f".DIVQ(3'd{pll.divq})",
                      f".FILTER_RANGE(3'd{pll.filter_range})"):
        assert parameter in hardware
    assert ".TIMEOUT_BITS(500)" in text


def test_board_files_bring_the_link_modules():
    files = board_files("x_stream", 8, 8, 4, 64, BUILD_ID, None)
    assert list(files) == ["sc_board_top.sv", *LINK_SOURCES]
    assert "module host_link" in files["host_link.sv"]


@pytest.mark.parametrize("arguments, message", [
    (("bad name`define", 8, 8, 4, 64, BUILD_ID, None), "not a SystemVerilog identifier"),
    (("x", 0, 8, 4, 64, BUILD_ID, None), "in_bits"),
    (("x", 8, 256, 4, 64, BUILD_ID, None), "out_bits"),
    (("x", 8, 8, 3, 64, BUILD_ID, None), "clks_per_bit"),
    (("x", 8, 8, 4, 65536, BUILD_ID, None), "max_payload"),
    (("x", 32, 8, 4, 3, BUILD_ID, None), "cannot hold one word"),
    (("x", 8, 8, 4, 64, BUILD_ID[:15], None), "16 bytes"),
])
def test_bad_inputs_are_input_errors(arguments, message):
    with pytest.raises(InputError, match=message):
        board_top(*arguments)


def test_a_clock_on_the_pll_pad_takes_the_pad_pll_and_an_active_low_led_is_inverted():
    text = board_top("x_stream", 8, 8, 4, 64, BUILD_ID, pll_settings(12.0, 48.0), pll_primitive="SB_PLL40_PAD",
                     led_active_low=True)
    hardware = text.split("`else")[1]
    assert "SB_PLL40_PAD #(" in hardware and ".PACKAGEPIN(clk_osc)" in hardware and "SB_PLL40_CORE" not in text
    assert "assign led = ~status[0];" in text


def test_an_unknown_pll_primitive_is_an_input_error():
    with pytest.raises(InputError, match="PLL primitive"):
        board_top("x_stream", 8, 8, 4, 64, BUILD_ID, pll_settings(12.0, 48.0), pll_primitive="SB_PLL40_2F_PAD")
