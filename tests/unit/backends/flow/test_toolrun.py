"""run_tool: log capture, return codes, missing executables, timeouts that stop the whole group."""

import os
import sys
import time
from pathlib import Path

import pytest

from sc_neurocore.backends.flow.toolrun import LOG_TAIL_LINES, capture_tool_output, log_tail, run_tool
from sc_neurocore.errors import InputError, ToolError, ToolMissingError, ToolTimeoutError


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def test_success_captures_stdout_and_stderr(tmp_path):
    log = tmp_path / "logs" / "ok.log"
    code = "import sys; print('to stdout'); print('to stderr', file=sys.stderr)"
    assert run_tool("demo", _python(code), tmp_path, log, timeout_s=30) is None
    text = log.read_text()
    assert "to stdout" in text and "to stderr" in text


def test_runs_in_cwd_with_given_environment(tmp_path):
    log = tmp_path / "env.log"
    code = "import os; print(os.getcwd()); print(os.environ['SC_TEST_VALUE'])"
    run_tool("demo", _python(code), tmp_path, log, 30, env={**os.environ, "SC_TEST_VALUE": "42"})
    assert log.read_text().splitlines() == [str(tmp_path), "42"]


def test_no_shell_interpretation(tmp_path):
    log = tmp_path / "args.log"
    run_tool("demo", _python("import sys; print(sys.argv[1:])") + ["$HOME", "a b", ";ls"], tmp_path, log, 30)
    assert log.read_text().strip() == "['$HOME', 'a b', ';ls']"


def test_failure_names_tool_log_and_last_lines(tmp_path):
    log = tmp_path / "fail.log"
    code = "import sys\nfor i in range(40): print(f'line {i}')\nsys.exit(3)"
    with pytest.raises(ToolError) as caught:
        run_tool("fake-synth", _python(code), tmp_path, log, 30)
    error = caught.value
    summary, *rest = str(error).splitlines()
    assert summary == "fake-synth exited with code 3"
    assert str(log) in str(error)
    assert "line 39" in str(error) and "line 20" not in str(error)
    assert error.tool_name == "fake-synth"
    assert error.log_path == log
    assert len(error.log_tail) == LOG_TAIL_LINES
    assert not isinstance(error, (ToolMissingError, ToolTimeoutError))


def test_killed_by_signal_is_described(tmp_path):
    with pytest.raises(ToolError, match="killed by SIGKILL"):
        run_tool("victim", _python("import os, signal; os.kill(os.getpid(), signal.SIGKILL)"), tmp_path,
                 tmp_path / "k.log", 30)


def test_missing_executable(tmp_path):
    with pytest.raises(ToolMissingError, match="no-such-tool"):
        run_tool("ghost", [str(tmp_path / "no-such-tool")], tmp_path, tmp_path / "m.log", 30)


def test_timeout_kills_the_process_group(tmp_path):
    # The tool starts a grandchild that would outlive a plain kill of its parent.
    pid_file = tmp_path / "grandchild.pid"
    code = (
        "import subprocess, sys, time\n"
        f"child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "print('started', flush=True)\n"
        "time.sleep(60)\n"
    )
    start = time.monotonic()
    with pytest.raises(ToolTimeoutError) as caught:
        run_tool("sleeper", _python(code), tmp_path, tmp_path / "t.log", timeout_s=1.5)
    assert time.monotonic() - start < 20
    assert str(caught.value).startswith("sleeper ran past its time limit of 1.5 s")
    assert "started" in str(caught.value)
    grandchild = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _alive(grandchild):
        time.sleep(0.05)
    assert not _alive(grandchild)


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_missing_working_directory_is_not_a_missing_tool(tmp_path):
    with pytest.raises(InputError, match="working directory"):
        run_tool("demo", _python("pass"), tmp_path / "absent", tmp_path / "w.log", 30)


def test_capture_tool_output_returns_text():
    assert capture_tool_output("demo", _python("print('Version 1.2')"), 30).strip() == "Version 1.2"


def test_log_tail_of_missing_file_is_empty(tmp_path):
    assert log_tail(tmp_path / "absent.log") == []
