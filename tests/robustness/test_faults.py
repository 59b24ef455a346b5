"""Faults: Ctrl-C and SIGTERM during simulate, train and deploy; two deploys into one directory; tools
missing, hung and killed; a full disk (a file-size limit). Real processes, fake tool scripts.

Every interrupted or failed run exits with its code (130, 143, 1) and one error line, leaves no tool
process running and leaves the previous outputs as they were.
"""

from __future__ import annotations

import hashlib
import resource
import signal
import time
from pathlib import Path

import numpy as np
import pytest

from .faults import alive, cli, fake_tools, wait_for

REPO = Path(__file__).resolve().parents[2]
MODEL = REPO / "examples" / "demo_lif.nir"


def _snapshot(directory: Path) -> dict[str, str]:
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def _finish(process, timeout_s: float = 30.0) -> tuple[int, list[str]]:
    _, err = process.communicate(timeout=timeout_s)
    return process.returncode, err.splitlines()


def _tool_pids(tools_dir: Path) -> list[int]:
    pids = tools_dir / "pids"
    return [int(p) for line in pids.read_text().splitlines() for p in line.split()] if pids.exists() else []


@pytest.fixture
def previous_build(tmp_path):
    """A good earlier build (written by compile) that a failed deploy with --force must leave alone."""
    out = tmp_path / "build"
    done = cli("compile", MODEL, "-o", out)
    assert _finish(done)[0] == 0
    return out, _snapshot(out)


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_during_deploy_stops_the_tools_and_keeps_the_previous_build(tmp_path, previous_build, signum, code):
    out, before = previous_build
    env = fake_tools(tmp_path / "tools", "hang")
    deploy = cli("deploy", MODEL, "-o", out, "--force", "--tools", "native", env=env)
    assert wait_for(lambda: len(_tool_pids(tmp_path / "tools")) >= 2, 60), "the fake yosys never started"
    deploy.send_signal(signum)
    returncode, lines = _finish(deploy)
    assert returncode == code and len(lines) == 1 and lines[0].startswith("error: "), lines
    assert wait_for(lambda: not any(alive(pid) for pid in _tool_pids(tmp_path / "tools")), 5), "orphaned tools"
    assert _snapshot(out) == before


def test_a_second_deploy_into_the_same_directory_stops_and_names_the_first(tmp_path, previous_build):
    out, before = previous_build
    env = fake_tools(tmp_path / "tools", "hang")
    first = cli("deploy", MODEL, "-o", out, "--force", "--tools", "native", env=env)
    try:
        assert wait_for(lambda: len(_tool_pids(tmp_path / "tools")) >= 2, 60)
        second = cli("deploy", MODEL, "-o", out, "--force", "--tools", "native", env=env)
        returncode, lines = _finish(second)
        assert returncode == 1 and len(lines) == 1, lines
        assert f"pid {first.pid}" in lines[0] and "another sc-neurocore run" in lines[0]
        assert first.poll() is None  # the first run goes on, its .partial untouched by the second
    finally:
        first.send_signal(signal.SIGTERM)
        assert _finish(first)[0] == 143
    assert _snapshot(out) == before


def test_a_hung_version_query_obeys_the_timeout(tmp_path):
    env = fake_tools(tmp_path / "tools", "hang-version")
    started = time.monotonic()
    deploy = cli("deploy", MODEL, "-o", tmp_path / "b", "--tools", "native", "--timeout", "2", env=env)
    returncode, lines = _finish(deploy)
    assert returncode == 1 and lines[0].startswith("error: ") and "time limit of 2 s" in lines[0], lines
    assert time.monotonic() - started < 20


def test_a_hung_tool_obeys_the_timeout_and_leaves_no_process(tmp_path):
    env = fake_tools(tmp_path / "tools", "hang")
    deploy = cli("deploy", MODEL, "-o", tmp_path / "b", "--tools", "native", "--timeout", "8", env=env)
    returncode, lines = _finish(deploy, 60)
    assert returncode == 1 and lines[0].startswith("error: ") and "time limit" in lines[0], lines
    assert not any("Traceback" in line for line in lines)
    assert wait_for(lambda: not any(alive(pid) for pid in _tool_pids(tmp_path / "tools")), 5)
    assert not (tmp_path / "b").exists()  # nothing promoted


def test_a_killed_tool_is_a_tool_failure(tmp_path, previous_build):
    out, before = previous_build
    env = fake_tools(tmp_path / "tools", "crash")
    returncode, lines = _finish(cli("deploy", MODEL, "-o", out, "--force", "--tools", "native", env=env), 60)
    assert returncode == 1 and lines[0].startswith("error: ") and "yosys" in lines[0], lines
    assert not any("Traceback" in line for line in lines)
    assert _snapshot(out) == before


def test_a_missing_tool_is_one_line(tmp_path):
    env = {"YOSYS": str(tmp_path / "missing" / "yosys")}
    returncode, lines = _finish(cli("deploy", MODEL, "-o", tmp_path / "b", "--tools", "native", env=env))
    assert returncode == 1 and len(lines) == 1 and "YOSYS=" in lines[0], lines


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_during_simulate_writes_nothing(tmp_path, signum, code):
    out = tmp_path / "sim.npz"
    simulate = cli("simulate", MODEL, "--steps", "500000", "--out", out)
    time.sleep(3)  # imports and the start of the run
    assert simulate.poll() is None, simulate.communicate()
    simulate.send_signal(signum)
    returncode, lines = _finish(simulate)
    assert returncode == code and len(lines) == 1 and lines[0].startswith("error: "), lines
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_during_train_leaves_a_usable_checkpoint_or_none(tmp_path, signum, code):
    out = tmp_path / "run"
    config = tmp_path / "train.yaml"
    config.write_text(f"model: {{sizes: [64, 32, 10]}}\nepochs: 200\noutput: {out}\n")
    train = cli("train", config)
    assert wait_for(lambda: (out / "checkpoint.npz").exists(), 90), train.communicate()
    train.send_signal(signum)
    returncode, lines = _finish(train)
    assert returncode == code and len(lines) == 1 and lines[0].startswith("error: "), lines
    assert not (out / "metrics.json").exists()
    assert not [p for p in out.iterdir() if ".tmp" in p.name]  # no half-written file left beside the outputs
    with np.load(out / "checkpoint.npz") as archive:  # whole: written atomically
        assert "meta" in archive.files


def _file_size_limit(limit_bytes: int):
    def apply():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))
    return apply


def test_a_full_disk_is_called_a_full_disk_and_keeps_the_old_output(tmp_path):
    out = tmp_path / "sim.npz"
    out.write_bytes(b"old result")
    simulate = cli("simulate", MODEL, "--steps", "400", "--batch", "8", "--voltages", "--out", out, "--force",
                   preexec_fn=_file_size_limit(64 * 1024))
    returncode, lines = _finish(simulate, 60)
    assert returncode == 1 and len(lines) == 1, lines
    assert f"cannot write {out}" in lines[0] and "file size limit" in lines[0]
    assert out.read_bytes() == b"old result"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sim.npz"]


def test_a_deploy_killed_outright_takes_its_tools_with_it(tmp_path):
    env = fake_tools(tmp_path / "tools", "hang")
    deploy = cli("deploy", MODEL, "-o", tmp_path / "b", "--tools", "native", env=env)
    assert wait_for(lambda: len(_tool_pids(tmp_path / "tools")) >= 2, 60), "the fake yosys never started"
    deploy.kill()
    deploy.communicate(timeout=30)
    assert wait_for(lambda: not any(alive(pid) for pid in _tool_pids(tmp_path / "tools")), 10), "orphaned tools"
