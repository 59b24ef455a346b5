"""Fake tool scripts for the fault tests (argument and fault handling only: no design is built by them).

One script plays yosys, nextpnr-ice40 and icepack; `FAKE_MODE` picks its misbehaviour:
  hang-version  never answers the version query;
  hang          answers the version query, then writes its pid and a grandchild's pid to FAKE_PIDS
                and sleeps (the grandchild too), as a long place-and-route would;
  crash         answers the version query, then kills itself with SIGKILL.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

__all__ = ["fake_tools", "alive", "wait_for", "cli", "FAKE_TOOL"]

FAKE_TOOL = """#!{python}
import os, signal, subprocess, sys, time
mode, args = os.environ.get("FAKE_MODE", "hang"), sys.argv[1:]
if args[:1] in (["-V"], ["--version"]):
    if mode == "hang-version":
        time.sleep(1000)
    print("Yosys 0.23 (fake)" if "yosys" in sys.argv[0] else "nextpnr-0.4 (fake)")
    sys.exit(0)
if mode == "crash":
    os.kill(os.getpid(), signal.SIGKILL)
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(1000)"])
with open(os.environ["FAKE_PIDS"], "a") as record:
    record.write(f"{{os.getpid()}} {{child.pid}}\\n")
time.sleep(1000)
"""


def fake_tools(directory: Path, mode: str) -> dict[str, str]:
    """Write the fake tools into `directory`; the environment entries that select them in `mode`."""
    directory.mkdir(parents=True, exist_ok=True)
    env = {"FAKE_MODE": mode, "FAKE_PIDS": str(directory / "pids")}
    for tool, variable in (("yosys", "YOSYS"), ("nextpnr-ice40", "NEXTPNR_ICE40"), ("icepack", "ICEPACK")):
        path = directory / tool
        path.write_text(FAKE_TOOL.format(python=sys.executable))
        path.chmod(0o755)
        env[variable] = str(path)
    return env


def alive(pid: int) -> bool:
    """Whether `pid` is a running process (a zombie waiting for its reaper counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")


def wait_for(condition, timeout_s: float, step_s: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step_s)
    return condition()


def cli(*argv, env: dict | None = None, cwd: Path | None = None, **popen) -> subprocess.Popen:
    """Start the real `sc-neurocore` executable of this interpreter's environment."""
    executable = Path(sys.executable).with_name("sc-neurocore")
    return subprocess.Popen([str(executable), *map(str, argv)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, **(env or {})}, cwd=cwd, **popen)
