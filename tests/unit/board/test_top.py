"""The board top's SystemVerilog: its ports, the PLL (or none), the link's parameters, refused inputs."""

import pytest

from sc_neurocore.errors import InputError
from sc_neurocore.backends.board.top import LINK_SOURCES, PllSettings, board_files, board_top

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
    text = board_top("x_stream", 8, 8, 4, 64, BUILD_ID, PllSettings(divr=0, divf=79, divq=4, filter_range=1),
                     timeout_bits=500)
    simulation, hardware = text.split("`ifdef SIMULATION")[1].split("`else")
    assert "assign clk = clk_osc;" in simulation and "SB_PLL40_CORE" not in simulation
    assert "SB_PLL40_CORE" in hardware
    for parameter in (".DIVR(4'd0)", ".DIVF(7'd79)", ".DIVQ(3'd4)", ".FILTER_RANGE(3'd1)"):
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


@pytest.mark.parametrize("field, value", [("divr", 16), ("divf", 128), ("divq", -1), ("filter_range", 8)])
def test_pll_settings_out_of_range_are_input_errors(field, value):
    settings = {"divr": 0, "divf": 63, "divq": 4, "filter_range": 1, field: value}
    with pytest.raises(InputError, match=field):
        PllSettings(**settings)
