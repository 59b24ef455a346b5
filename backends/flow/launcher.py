"""The EDALIZE_LAUNCHER of the iCE40 flow: `python -m sc_neurocore.backends.flow.launcher TOOL ARGS...`.

edalize's Makefile prefixes every tool line with `$(EDALIZE_LAUNCHER)`, so each stage arrives here.
The launcher
- maps the generic tool name to the executable chosen by tool discovery (environment variables),
- replaces yosys' `-p 'tcl edalize_yosys_template.tcl'` with `-s <our script>`: YoWASP yosys has no
  Tcl, and translating edalize's Tcl (procs, `foreach`, `yosys -import`) would be parsing a language;
  the flow writes the equivalent plain script from the same inputs instead, and both tool flavours
  run it, so they execute the same commands (and both write `stat -json`),
- replaces `-l <file>` with a captured log of a fixed name per stage, holding stdout and stderr,
- runs the tool in the current directory (the build directory: YoWASP tools only see relative paths),
- appends one JSON line per finished stage (tool, seconds, status, log) to a stage record file.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from sc_neurocore.errors import ToolError
from sc_neurocore.backends.flow.toolrun import run_tool
from sc_neurocore.backends.flow.orphans import stop_group_with_parent

__all__ = [
    "STAGE_LOGS",
    "TOOL_VARIABLES",
    "YOSYS_SCRIPT_VARIABLE",
    "STAGE_RECORD_VARIABLE",
    "launcher_command",
    "launcher_environment",
    "read_stage_records",
    "rewrite_arguments",
    "main",
]

TOOL_VARIABLES = {
    "yosys": "SC_NEUROCORE_YOSYS",
    "nextpnr-ice40": "SC_NEUROCORE_NEXTPNR_ICE40",
    "icepack": "SC_NEUROCORE_ICEPACK",
}
STAGE_LOGS = {"yosys": "yosys.log", "nextpnr-ice40": "nextpnr.log", "icepack": "icepack.log"}
YOSYS_SCRIPT_VARIABLE = "SC_NEUROCORE_YOSYS_SCRIPT"
STAGE_RECORD_VARIABLE = "SC_NEUROCORE_STAGE_RECORDS"


def launcher_command() -> str:
    """The EDALIZE_LAUNCHER value: this interpreter running this module, quoted for make's /bin/sh."""
    return f"{shlex.quote(sys.executable)} -m sc_neurocore.backends.flow.launcher"


def launcher_environment(executables: Mapping[str, Path], yosys_script: str, stage_records: str) -> dict[str, str]:
    """Environment entries that make the launcher run `executables` (tool name -> path).

    `yosys_script` and `stage_records` are file names relative to the build directory.
    """
    env = {TOOL_VARIABLES[tool]: str(path) for tool, path in executables.items()}
    env[YOSYS_SCRIPT_VARIABLE] = yosys_script
    env[STAGE_RECORD_VARIABLE] = stage_records
    env["EDALIZE_LAUNCHER"] = launcher_command()
    return env


def rewrite_arguments(tool: str, args: Sequence[str], yosys_script: str | None) -> list[str]:
    """Drop `-l FILE` (the launcher captures the log) and, for yosys, swap Tcl for the plain script."""
    rewritten: list[str] = []
    words = iter(args)
    for word in words:
        if word in ("-l", "--log"):
            next(words, None)
        elif tool == "yosys" and word == "-p" and yosys_script:
            command = next(words, "")
            rewritten += ["-s", yosys_script] if command.startswith("tcl ") else ["-p", command]
        else:
            rewritten.append(word)
    return rewritten


def _record(record_file: str | None, entry: dict[str, object]) -> None:
    if record_file:
        with open(record_file, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry) + "\n")


def read_stage_records(path: Path) -> list[dict[str, object]]:
    """The stage records written so far (none when the file does not exist)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in lines if line.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    """Run one stage; returns the exit code for make. Messages go to stderr, which make.log captures."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in TOOL_VARIABLES:
        expected = ", ".join(TOOL_VARIABLES)
        sys.stderr.write(f"sc-neurocore launcher: no mapping for {argv[:1]}; expected one of {expected}\n")
        return 2
    tool, args = argv[0], argv[1:]
    stop_group_with_parent()
    executable = os.environ.get(TOOL_VARIABLES[tool])
    if not executable:
        sys.stderr.write(f"sc-neurocore launcher: {TOOL_VARIABLES[tool]} is not set\n")
        return 2
    command = [executable, *rewrite_arguments(tool, args, os.environ.get(YOSYS_SCRIPT_VARIABLE))]
    record_file = os.environ.get(STAGE_RECORD_VARIABLE)
    start = time.monotonic()
    status = "ok"
    try:
        # The flow's make runs under a process-group timeout; stay in that group so it reaches the tool.
        run_tool(tool, command, Path.cwd(), Path(STAGE_LOGS[tool]), timeout_s=None, own_process_group=False)
    except ToolError as exc:
        status = "failed"
        sys.stderr.write(f"{exc}\n")
    _record(
        record_file,
        {"tool": tool, "seconds": round(time.monotonic() - start, 3), "status": status, "log": STAGE_LOGS[tool]},
    )
    return 0 if status == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
