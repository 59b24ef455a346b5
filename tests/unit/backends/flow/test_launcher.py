"""The EDALIZE_LAUNCHER: argument rewriting, tool mapping, stage records, and the whole edalize/make
flow driven through it with fake tool scripts that record their arguments (no real tools run here)."""

import json
import shutil
import sys
from pathlib import Path

import pytest
from edalize.flows.icestorm import Icestorm

from sc_neurocore.backends.flow import launcher
from sc_neurocore.backends.flow.icestorm import Ice40Options, run_ice40_flow, yosys_script
from sc_neurocore.backends.flow.launcher import main, read_stage_records, rewrite_arguments
from sc_neurocore.errors import FitError, InputError, ToolError

from tests.conftest import REPO

DATA = REPO / "tests" / "data" / "eda"

# Records argv and cwd, then plays the tool: writes the outputs the next stage and the parsers need.
_FAKE_TOOL = """#!{python}
import json, os, shutil, sys
from pathlib import Path
tool, args = Path(sys.argv[0]).name, sys.argv[1:]
if args and args[0] in ("-V", "--version"):
    print({{"yosys": "Yosys 0.23 (fake)", "nextpnr-ice40": "nextpnr-0.4 (fake)"}}.get(tool, ""))
    sys.exit(0)
with open(os.environ["FAKE_RECORD"], "a") as record:
    record.write(json.dumps({{"tool": tool, "args": args, "cwd": os.getcwd()}}) + "\\n")
print(f"{{tool}} says hello")
data = Path(os.environ["FAKE_DATA"])
if tool == "yosys":
    shutil.copy(data / "up5k_stat.json", "stat.json")
    Path("counter_rom.json").write_text("{{}}")
elif tool == "nextpnr-ice40":
    if os.environ.get("FAKE_NEXTPNR_FAILS"):
        print((data / "nextpnr_fit_failure.log").read_text())
        sys.exit(1)
    shutil.copy(data / "up5k_report.json", "report.json")
    Path(args[args.index("--asc") + 1]).write_text("asc")
elif tool == "icepack":
    Path(args[1]).write_bytes(b"bitstream")
"""


@pytest.fixture
def fake_tools(tmp_path, monkeypatch):
    """Fake native yosys, nextpnr-ice40 and icepack selected through the environment overrides."""
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    for tool in ("yosys", "nextpnr-ice40", "icepack"):
        path = bin_dir / tool
        path.write_text(_FAKE_TOOL.format(python=sys.executable))
        path.chmod(0o755)
    record = tmp_path / "calls.jsonl"
    monkeypatch.setenv("YOSYS", str(bin_dir / "yosys"))
    monkeypatch.setenv("NEXTPNR_ICE40", str(bin_dir / "nextpnr-ice40"))
    monkeypatch.setenv("ICEPACK", str(bin_dir / "icepack"))
    monkeypatch.setenv("FAKE_RECORD", str(record))
    monkeypatch.setenv("FAKE_DATA", str(DATA))
    return bin_dir, record


def _calls(record: Path) -> list[dict]:
    return [json.loads(line) for line in record.read_text().splitlines()]


def test_yosys_tcl_becomes_our_script_and_log_is_captured():
    args = ["-l", "yosys.log", "-p", "tcl edalize_yosys_template.tcl"]
    assert rewrite_arguments("yosys", args, "synth.ys") == ["-s", "synth.ys"]


def test_plain_yosys_commands_and_other_tools_keep_their_arguments():
    assert rewrite_arguments("yosys", ["-p", "stat"], "synth.ys") == ["-p", "stat"]
    nextpnr = ["-l", "next.log", "--up5k", "--json", "top.json", "--asc", "top.asc"]
    assert rewrite_arguments("nextpnr-ice40", nextpnr, "synth.ys") == nextpnr[2:]
    assert rewrite_arguments("icepack", ["top.asc", "top.bin"], None) == ["top.asc", "top.bin"]


def test_main_maps_the_tool_and_records_the_stage(fake_tools, tmp_path, monkeypatch):
    bin_dir, record = fake_tools
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv(launcher.TOOL_VARIABLES["yosys"], str(bin_dir / "yosys"))
    monkeypatch.setenv(launcher.YOSYS_SCRIPT_VARIABLE, "synth.ys")
    monkeypatch.setenv(launcher.STAGE_RECORD_VARIABLE, "stages.jsonl")
    assert main(["yosys", "-l", "yosys.log", "-p", "tcl edalize_yosys_template.tcl"]) == 0
    assert _calls(record) == [{"tool": "yosys", "args": ["-s", "synth.ys"], "cwd": str(work)}]
    assert "yosys says hello" in (work / "yosys.log").read_text()
    (stage,) = read_stage_records(work / "stages.jsonl")
    assert stage["tool"] == "yosys" and stage["status"] == "ok" and stage["log"] == "yosys.log"


def test_main_reports_a_failing_tool(tmp_path, monkeypatch):
    failing = tmp_path / "icepack"
    failing.write_text("#!/bin/sh\necho broken asc\nexit 4\n")
    failing.chmod(0o755)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(launcher.TOOL_VARIABLES["icepack"], str(failing))
    monkeypatch.setenv(launcher.STAGE_RECORD_VARIABLE, "stages.jsonl")
    assert main(["icepack", "top.asc", "top.bin"]) == 1
    (stage,) = read_stage_records(tmp_path / "stages.jsonl")
    assert stage["status"] == "failed" and stage["log"] == "icepack.log"


def test_main_refuses_unknown_tools():
    assert main(["icetime", "-r", "x.tim"]) == 2
    assert main([]) == 2


def _work_dir(tmp_path: Path) -> Path:
    work = tmp_path / "build"
    work.mkdir(parents=True)
    for name in ("counter_rom.sv", "counter_rom.mem"):
        shutil.copy(DATA / name, work / name)
    return work


def test_flow_through_edalize_make_and_launcher(fake_tools, tmp_path):
    _, record = fake_tools
    work = _work_dir(tmp_path)
    options = Ice40Options(device="up5k", seed=7, freq_mhz=24.5)
    report = run_ice40_flow(work, "counter_rom", ["counter_rom.sv"], options, ["counter_rom.mem"])

    calls = {call["tool"]: call for call in _calls(record)}
    assert list(calls) == ["yosys", "nextpnr-ice40", "icepack"]
    assert all(call["cwd"] == str(work) for call in calls.values())
    assert calls["yosys"]["args"] == ["-s", "synth.ys"]
    assert calls["nextpnr-ice40"]["args"] == [
        "--up5k", "--package", "sg48", "--seed", "7", "--freq", "24.5", "--report", "report.json",
        "--timing-allow-fail", "--json", "counter_rom.json", "--asc", "counter_rom.asc",
    ]
    assert calls["icepack"]["args"] == ["counter_rom.asc", "counter_rom.bin"]
    # Every path a tool sees is relative: YoWASP tools cannot open absolute /tmp paths.
    assert not any(arg.startswith("/") for call in calls.values() for arg in call["args"])

    assert (work / "synth.ys").read_text() == yosys_script("counter_rom", ["counter_rom.sv"], "up5k")
    assert "synth_ice40 -dsp -top counter_rom" in (work / "synth.ys").read_text()
    assert report.bitstream == work / "counter_rom.bin"
    assert report.resource("EBR").used == 1
    assert set(report.stage_seconds) == {"yosys", "nextpnr-ice40", "icepack"}
    assert [name for name, _, _ in report.tools] == ["yosys", "nextpnr-ice40", "icepack"]
    assert report.tools[0][1] == "0.23"


def test_flow_turns_a_placement_overflow_into_a_fit_error(fake_tools, tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_NEXTPNR_FAILS", "1")
    work = _work_dir(tmp_path)
    with pytest.raises(FitError, match="11985 logic cells but the device has 1280"):
        run_ice40_flow(work, "counter_rom", ["counter_rom.sv"], Ice40Options(), ["counter_rom.mem"])


def test_flow_names_the_failing_stage(fake_tools, tmp_path):
    bin_dir, _ = fake_tools
    (bin_dir / "icepack").write_text("#!/bin/sh\necho cannot pack\nexit 2\n")
    work = _work_dir(tmp_path)
    with pytest.raises(ToolError) as caught:
        run_ice40_flow(work, "counter_rom", ["counter_rom.sv"], Ice40Options(), ["counter_rom.mem"])
    assert caught.value.tool_name == "icepack"
    assert caught.value.log_path == work / "icepack.log"
    assert "cannot pack" in str(caught.value)


def test_flow_inputs_are_checked_before_any_tool_runs(fake_tools, tmp_path):
    _, record = fake_tools
    work = _work_dir(tmp_path)
    with pytest.raises(InputError, match="missing.sv"):
        run_ice40_flow(work, "counter_rom", ["missing.sv"])
    with pytest.raises(InputError, match="up5k, hx8k, hx1k"):
        Ice40Options(device="ecp5")
    assert not record.exists()


def test_flow_copies_the_pcf_next_to_the_sources(fake_tools, tmp_path):
    _, record = fake_tools
    work = _work_dir(tmp_path)
    pcf = tmp_path / "board.pcf"
    pcf.write_text("set_io clk 35\n")
    run_ice40_flow(work, "counter_rom", ["counter_rom.sv"], Ice40Options(pcf=pcf), ["counter_rom.mem"])
    nextpnr_args = next(call["args"] for call in _calls(record) if call["tool"] == "nextpnr-ice40")
    assert nextpnr_args[nextpnr_args.index("--pcf") + 1] == "counter_rom.pcf"
    assert (work / "counter_rom.pcf").read_text() == "set_io clk 35\n"


def test_options_validate_package_and_tools():
    assert Ice40Options(device="hx8k").package == "ct256"
    assert Ice40Options(device="hx1k").package == "vq100"
    with pytest.raises(InputError, match="sg48, uwg30"):
        Ice40Options(device="up5k", package="ct256")
    with pytest.raises(InputError, match="tool selection"):
        Ice40Options(tools="vivado")


def test_consecutive_flows_do_not_share_options(fake_tools, tmp_path):
    _, record = fake_tools
    for seed in (1, 2):
        work = _work_dir(tmp_path / f"run{seed}")
        run_ice40_flow(work, "counter_rom", ["counter_rom.sv"], Ice40Options(seed=seed), ["counter_rom.mem"])
    runs = [call["args"] for call in _calls(record) if call["tool"] == "nextpnr-ice40"]
    assert [args.count("--up5k") for args in runs] == [1, 1]
    assert [args[args.index("--seed") + 1] for args in runs] == ["1", "2"]
    assert "nextpnr_options" not in Icestorm._flow["nextpnr"]["fdto"]
