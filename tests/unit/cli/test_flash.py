"""`sc-neurocore flash` and the programmers in `doctor`.

The programmers here are fake tool scripts (they record their arguments, or print what iceprog prints when
no board is attached and fail): they test argument handling, discovery and failure paths only. No test
here talks to a board.
"""

import json
from pathlib import Path

import pytest

from sc_neurocore.cli.app import main
from sc_neurocore.cli.commands import doctor
from tests.fake_tools import PROGRAMMER_OVERRIDES, fake_tool, only_on_path, recorded_calls

ICEPROG_NO_BOARD = ["init..", "Can't find iCE FTDI USB device (vendor_id 0x0403, device_id 0x6010 or 0x6014).",
                    "ABORT."]


def _fake(directory: Path, name: str, *, lines=(), code=0, sleep=0) -> Path:
    """A programmer that records its working directory and arguments, prints `lines` and exits with `code`."""
    return fake_tool(directory, name, lines=lines, code=code, sleep=sleep, record=True)


@pytest.fixture
def clean_env(tmp_path, monkeypatch):
    """PATH holds only an empty directory; no programmer overrides."""
    return only_on_path(tmp_path / "empty_bin", monkeypatch, PROGRAMMER_OVERRIDES)


def _build(tmp_path: Path, device="up5k", board=None, name="build") -> Path:
    """A build directory as deploy leaves it: manifest.json, build_report.json and the bitstream."""
    out = tmp_path / name
    out.mkdir()
    options = {"device": device, **({"board": {"name": board, "device": device}} if board else {})}
    (out / "manifest.json").write_text(json.dumps({"top": "sc_top", "provenance": {"options": options}}))
    (out / "build_report.json").write_text(json.dumps({"device": device, "bitstream": "sc_top.bin"}))
    (out / "sc_top.bin").write_bytes(bytes(range(256)) * 8)
    return out


def _run(capsys, *argv):
    code = main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _one_line_error(err: str, fragment: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert fragment in lines[0], err
    assert "Traceback" not in err


def test_iceprog_gets_the_bitstream_in_the_build_directory(tmp_path, clean_env, monkeypatch, capsys):
    _fake(clean_env, "iceprog")
    build = _build(tmp_path, board="icebreaker")
    code, out, err = _run(capsys, "flash", build)
    assert code == 0, err
    assert recorded_calls(clean_env) == [[str(build.resolve()), ["sc_top.bin"]]]
    assert "flashing" in out and "iCEBreaker" in out and "done in" in out and (build / "flash.log").is_file()


@pytest.mark.parametrize("board, arguments", [
    ("icebreaker", ["-b", "ice40_generic"]),
    ("ice40-hx8k-breakout", ["-b", "ice40_generic"]),
    ("upduino-v3", ["-b", "ice40_generic", "-c", "ft232"]),
    (None, ["-b", "ice40_generic"]),
])
def test_openfpgaloader_gets_the_board_names(tmp_path, clean_env, capsys, board, arguments):
    tools = tmp_path / "tools"
    _fake(tools, "openFPGALoader")
    device = "hx8k" if board == "ice40-hx8k-breakout" else "up5k"
    build = _build(tmp_path, device=device)
    argv = ["flash", build, "--tool", "openFPGALoader", "--tools", tools] + (["--board", board] if board else [])
    code, _, err = _run(capsys, *argv)
    assert code == 0, err
    assert recorded_calls(tools) == [[str(build.resolve()), arguments + ["sc_top.bin"]]]


def test_the_recorded_board_is_used_without_board(tmp_path, clean_env, capsys):
    _fake(clean_env, "openFPGALoader")  # iceprog missing: the other programmer is taken
    build = _build(tmp_path, board="upduino-v3")
    code, out, err = _run(capsys, "flash", build, "--json")
    assert code == 0, err
    record = json.loads(out)
    assert record["board"] == "upduino-v3" and record["tool"] == "openFPGALoader"
    assert record["argv"][1:] == ["-b", "ice40_generic", "-c", "ft232", "sc_top.bin"]


def test_environment_override_wins_over_path(tmp_path, clean_env, monkeypatch, capsys):
    _fake(clean_env, "iceprog")
    chosen = _fake(tmp_path / "elsewhere", "my-iceprog")
    monkeypatch.setenv("SC_NEUROCORE_ICEPROG", str(chosen))
    code, _, err = _run(capsys, "flash", _build(tmp_path))
    assert code == 0, err
    assert recorded_calls(tmp_path / "elsewhere") and not recorded_calls(clean_env)
    monkeypatch.setenv("SC_NEUROCORE_ICEPROG", str(tmp_path / "nothing"))
    code, _, err = _run(capsys, "flash", tmp_path / "build")
    assert code == 1
    _one_line_error(err, "SC_NEUROCORE_ICEPROG=")


def test_programmer_failure_quotes_its_message(tmp_path, clean_env, capsys):
    _fake(clean_env, "iceprog", lines=ICEPROG_NO_BOARD, code=2)
    code, _, err = _run(capsys, "flash", _build(tmp_path, board="icebreaker"))
    assert code == 1
    _one_line_error(err, "iceprog exited with code 2: \"Can't find iCE FTDI USB device (vendor_id 0x0403")


def test_silent_failure_and_timeout(tmp_path, clean_env, capsys):
    _fake(clean_env, "iceprog", code=1)
    code, _, err = _run(capsys, "flash", _build(tmp_path))
    assert code == 1
    _one_line_error(err, "iceprog exited with code 1: '(it printed nothing)'")
    _fake(clean_env, "iceprog", lines=["erasing..."], sleep=20)
    code, _, err = _run(capsys, "flash", tmp_path / "build", "--timeout", "0.5")
    assert code == 1
    _one_line_error(err, "iceprog ran past --timeout 0.5 s and was stopped")


def test_no_programmer(tmp_path, clean_env, capsys):
    code, _, err = _run(capsys, "flash", _build(tmp_path))
    assert code == 1
    _one_line_error(err, "no programmer found: install iceprog or openFPGALoader, or pass --tools DIR")
    code, _, err = _run(capsys, "flash", tmp_path / "build", "--tool", "openFPGALoader")
    assert code == 1
    _one_line_error(err, "openFPGALoader not found")


def _compiled(tmp_path):  # what compile writes: sources and a manifest, no bitstream
    out = tmp_path / "compiled"
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps({"top": "sc_top"}))
    (out / "sc_top.sv").write_text("module sc_top; endmodule\n")
    return out


def _two_bins(tmp_path):
    out = tmp_path / "loose"
    out.mkdir()
    (out / "a.bin").write_bytes(b"1")
    (out / "b.bin").write_bytes(b"2")
    return out


def _empty_bin(tmp_path):
    out = _build(tmp_path, name="empty")
    (out / "sc_top.bin").write_bytes(b"")
    return out


def _bad_report(tmp_path):
    out = _build(tmp_path, name="bad")
    (out / "build_report.json").write_text(json.dumps({"bitstream": "../../etc/passwd"}))
    return out


@pytest.mark.parametrize("make, extra, fragment", [
    (lambda tmp: tmp / "missing", [], "is not a directory"),
    (_compiled, [], "no bitstream in"),
    (_two_bins, [], "holds 2 bitstreams (a.bin, b.bin)"),
    (_empty_bin, [], "is empty"),
    (_bad_report, [], "which is not a file name inside"),
    (lambda tmp: _build(tmp), ["--board", "ice40-hx8k-breakout"], "is for up5k but --board ice40-hx8k-breakout has a hx8k"),
    (lambda tmp: _build(tmp), ["--board", "icestick"], "unknown board 'icestick'; choose one of icebreaker"),
    (lambda tmp: _build(tmp), ["--tool", "ecpprog"], "unknown programmer 'ecpprog'; choose one of iceprog, openFPGALoader"),
    (lambda tmp: _build(tmp), ["--tools", "/nonexistent/dir"], "--tools /nonexistent/dir: not a directory"),
    (lambda tmp: _build(tmp), ["--timeout", "nan"], "--timeout must be positive"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, clean_env, capsys, make, extra, fragment):
    _fake(clean_env, "iceprog")
    code, _, err = _run(capsys, "flash", make(tmp_path), *extra)
    assert code == 2
    _one_line_error(err, fragment)
    assert not recorded_calls(clean_env), "the programmer must not run on bad input"


def test_doctor_lists_both_programmers(tmp_path, clean_env, monkeypatch, capsys):
    from sc_neurocore.backends.flow.tools import describe_toolchain

    monkeypatch.setattr(doctor, "describe_toolchain", lambda: describe_toolchain(probe_versions=False))
    monkeypatch.setattr(doctor, "icarus_version", lambda: (None, None))
    _fake(clean_env, "openFPGALoader", lines=["openFPGALoader v0.13.1"])
    code, out, err = _run(capsys, "doctor", "--json")
    assert code == 0, err
    programmers = {p["name"]: p for p in json.loads(out)["programmers"]}
    assert programmers["openFPGALoader"]["version"] == "0.13.1" and programmers["openFPGALoader"]["source"] == "PATH"
    assert programmers["iceprog"]["path"] is None and "fpga-icestorm" in programmers["iceprog"]["problem"]
    code, out, err = _run(capsys, "doctor")
    assert code == 0, err
    assert "programmer iceprog: not found (install: apt-get install fpga-icestorm)" in out
    assert f"programmer openFPGALoader: {clean_env / 'openFPGALoader'} (PATH), version 0.13.1" in out
