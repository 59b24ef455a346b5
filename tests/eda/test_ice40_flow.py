"""The real iCE40 flow (yosys -> nextpnr-ice40 -> icepack) on small designs from tests/data/eda.

Missing tools fail these tests in CI (CI=true) and skip them elsewhere, with the reason.
"""

import os
import shutil
from pathlib import Path

import pytest

from sc_neurocore.backends.flow.icestorm import Ice40Options, run_ice40_flow
from sc_neurocore.report.build_record import BuildReport
from sc_neurocore.backends.flow.tools import find_toolchain, warm_yowasp, yowasp_cache_warm
from sc_neurocore.errors import FitError, ToolError, ToolMissingError, ToolTimeoutError

pytestmark = pytest.mark.eda

DATA = Path(__file__).resolve().parents[1] / "data" / "eda"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def toolchain():
    try:
        chain = find_toolchain("auto")
    except ToolMissingError as exc:
        _unavailable(f"iCE40 tools not installed: {exc}")
    if shutil.which("make") is None:
        _unavailable("GNU make (used by the edalize flow) not installed")
    return chain


def test_warm_yowasp_compiles_and_reports_the_yowasp_tools():
    # The YoWASP tools are package dependencies, so they must work wherever sc-neurocore is installed.
    try:
        chain = warm_yowasp()
    except ToolMissingError as exc:
        _unavailable(f"YoWASP tools not installed: {exc}")
    assert chain.flavour == "yowasp"
    assert chain.yosys.version and chain.nextpnr.version
    assert yowasp_cache_warm()


def _work_dir(tmp_path: Path, *names: str) -> Path:
    for name in names:
        shutil.copy(DATA / name, tmp_path / name)
    return tmp_path


def test_counter_rom_on_up5k(toolchain, tmp_path):
    work = _work_dir(tmp_path, "counter_rom.sv", "counter_rom.mem")
    report = run_ice40_flow(work, "counter_rom", ["counter_rom.sv"], Ice40Options(device="up5k"), ["counter_rom.mem"])

    assert report.bitstream == work / "counter_rom.bin"
    assert report.bitstream.stat().st_size > 0
    for artefact in ("counter_rom.json", "stat.json", "report.json", "yosys.log", "nextpnr.log", "icepack.log"):
        assert (work / artefact).is_file(), artefact
    assert (report.device, report.package) == ("up5k", "sg48")
    assert report.resource("LUT4").used > 0
    assert report.resource("EBR").used >= 1
    assert 0 < report.resource("logic cells").used < 200
    assert report.resource("logic cells").available == 5280
    assert report.resource("IO").used == 11
    achieved, constraint = report.fmax_mhz["clk"]
    assert achieved > 0 and constraint == 12.0
    assert [name for name, _, _ in report.tools] == ["yosys", "nextpnr-ice40", "icepack"]
    assert report.tools[0][1] == toolchain.yosys.version
    assert set(report.stage_seconds) == {"yosys", "nextpnr-ice40", "icepack"}
    assert BuildReport.from_dict(report.to_dict()) == report


def test_too_many_ports_for_the_package_is_a_fit_error(toolchain, tmp_path):
    work = _work_dir(tmp_path, "wide_ports.sv")
    with pytest.raises(FitError, match="65 port bits but up5k-sg48 has 39"):
        run_ice40_flow(work, "wide_ports", ["wide_ports.sv"], Ice40Options(device="up5k"))


def test_syntax_error_becomes_a_tool_error_with_the_log(toolchain, tmp_path):
    work = _work_dir(tmp_path, "broken.sv")
    with pytest.raises(ToolError) as caught:
        run_ice40_flow(work, "broken", ["broken.sv"], Ice40Options(device="hx1k"))
    error = caught.value
    assert not isinstance(error, FitError)
    assert error.tool_name == "yosys"
    assert error.log_path == work / "yosys.log"
    assert str(work / "yosys.log") in str(error)
    assert "broken.sv" in str(error)


def test_time_limit_stops_the_flow(toolchain, tmp_path):
    # The toolchain fixture ran every tool once, so YoWASP is compiled and the limit falls in synthesis.
    work = _work_dir(tmp_path, "counter_rom.sv", "counter_rom.mem")
    with pytest.raises(ToolTimeoutError) as caught:
        run_ice40_flow(work, "counter_rom", ["counter_rom.sv"], Ice40Options(timeout_s=0.5), ["counter_rom.mem"])
    assert caught.value.tool_name == "yosys"
    assert "time limit of 0.5 s" in str(caught.value)
    assert not (work / "counter_rom.bin").exists()
