"""The board top around the echo fixture through the real iCE40 flow: host_link synthesises, places and
routes on an up5k at 12 MHz, its memories in EBR; with a PLL, yosys keeps one SB_PLL40_CORE; and the
synthesised netlist still talks the protocol (gate level, on yosys's iCE40 cell models)."""

import random
import shutil
from pathlib import Path

import pytest

import sc_neurocore.backends.cores  # noqa: F401  (backends.cosim imported first runs into an import cycle)
from sc_neurocore.errors import ToolMissingError
from sc_neurocore.backends.cosim import ICE40_MODELS, ice40_cell_models
from sc_neurocore.backends.flow.synth import synthesise_netlist
from sc_neurocore.backends.host.link import HostLink
from sc_neurocore.backends.host.transport import SimulatorTransport
from tests.conftest import require_executable
from sc_neurocore.backends.board.pll import pll_settings
from sc_neurocore.backends.board.top import BOARD_TOP
from sc_neurocore.backends.flow.icestorm import Ice40Options, run_ice40_flow
from sc_neurocore.backends.flow.synth import synthesise, synthesise_modules
from sc_neurocore.backends.flow.tools import find_toolchain
from tests.unit.host.echo_board import echo, echo_board

pytestmark = [pytest.mark.eda, pytest.mark.slow]

BUILD_ID = bytes(range(16))
# Dependencies first: yosys reads them in this order.
SOURCES = ["uart_rx.sv", "uart_tx.sv", "crc16_ccitt.sv", "host_link.sv", "stream_echo.sv", "echo_stream.sv",
           f"{BOARD_TOP}.sv"]


@pytest.fixture(scope="module", autouse=True)
def _tools():
    try:
        find_toolchain("auto")
    except ToolMissingError as exc:
        pytest.skip(f"iCE40 tools not installed: {exc}")
    if shutil.which("make") is None:
        pytest.skip("GNU make (used by the edalize flow) not installed")


def _write(work: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (work / name).write_text(text, encoding="utf-8")
    return work


def test_host_link_places_and_routes_on_up5k_at_12_mhz(tmp_path):
    work = _write(tmp_path, echo_board(17, 24, BUILD_ID))
    report = run_ice40_flow(work, BOARD_TOP, SOURCES, Ice40Options(device="up5k", freq_mhz=12))
    rows = {row.name: row.used for row in report.resources}
    achieved, constraint = report.fmax_mhz["clk_osc"]
    assert achieved >= constraint == 12
    # Receive buffer (256 x 8) in one EBR, output FIFO (256 x 24) in two.
    assert rows["EBR"] == 3
    assert rows["logic cells"] < 1400, rows  # link and fixture together; measured 1054 (yosys 0.70)
    assert report.bitstream.is_file()

    cells = synthesise_modules(work, BOARD_TOP, SOURCES)  # after the flow, in the same folder
    link = cells["host_link"]
    assert link["SB_RAM40_4K"] == 3 and "SB_MAC16" not in link
    assert link["SB_LUT4"] < 700, link  # measured 556 of its own (UARTs and CRCs are separate modules)


def test_the_pll_reaches_the_netlist(tmp_path):
    pll = pll_settings(12.0, 48.0)
    work = _write(tmp_path, echo_board(8, 8, BUILD_ID, pll=pll))
    cells = synthesise(work, BOARD_TOP, SOURCES)
    assert cells.get("SB_PLL40_CORE") == 1


@pytest.mark.cosim
def test_the_synthesised_netlist_talks_the_protocol(tmp_path):
    require_executable("iverilog")
    work = _write(tmp_path, echo_board(17, 24, BUILD_ID, max_payload=16))
    (work / ICE40_MODELS).write_text(ice40_cell_models(), encoding="utf-8")
    synthesise_netlist(work, BOARD_TOP, SOURCES, "netlist.v")
    rng = random.Random(2)
    words = [rng.randrange(1 << 17) for _ in range(12)]
    with SimulatorTransport([work / "netlist.v", work / ICE40_MODELS], work_dir=work / "sim") as transport:
        link = HostLink(transport, timeout_s=0.01, retries=1)
        assert link.identify().build_id == BUILD_ID
        transport.inject_faults(flip_bits=[(6, 1)])
        assert link.run(words, lambda got: len(got) >= 12) == [echo(word, 24) for word in words]
        assert link.nak_codes == [1]
