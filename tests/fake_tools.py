"""Fake tool scripts for the discovery and programmer tests: a shell script that prints given lines, may
record its working directory and arguments, may sleep, and exits with a given code; and a PATH that holds
only one directory of them, with the tools' environment overrides unset."""

import json
import shlex
import sys
from pathlib import Path

_PYTHON = shlex.quote(sys.executable)
CALLS = "calls.jsonl"
PROGRAMMER_OVERRIDES = ("SC_NEUROCORE_ICEPROG", "SC_NEUROCORE_OPENFPGALOADER")


def fake_tool(directory: Path, name: str, *, lines=("",), code=0, sleep=0, record=False) -> Path:
    """`directory/name`, executable: appends `[cwd, argv[1:]]` to `calls.jsonl` beside it when `record`,
    sleeps `sleep` seconds, prints `lines` and exits with `code`."""
    directory.mkdir(parents=True, exist_ok=True)
    script = directory / name
    text = "#!/bin/sh\n"
    if record:
        text += (f"{_PYTHON} -c 'import json, os, sys; print(json.dumps([os.getcwd(), sys.argv[1:]]))' \"$@\" "
                 f">> {directory / CALLS}\n")
    if sleep:
        text += f"{_PYTHON} -c 'import time; time.sleep({sleep})'\n"
    script.write_text(text + "".join(f"echo {shlex.quote(line)}\n" for line in lines) + f"exit {code}\n")
    script.chmod(0o755)
    return script


def recorded_calls(directory: Path) -> list:
    """What the recording fakes in `directory` were called with, in order."""
    path = directory / CALLS
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def only_on_path(directory: Path, monkeypatch, overrides=()) -> Path:
    """Make `directory` (created) the whole PATH and unset the environment variables `overrides`."""
    directory.mkdir()
    monkeypatch.setenv("PATH", str(directory))
    for variable in overrides:
        monkeypatch.delenv(variable, raising=False)
    return directory
