"""The one way sc-neurocore runs an external command.

No shell, an argument list, stdout and stderr captured to a log file, a time limit, the return code
checked. A failure raises a `ToolError` whose message starts with a one-line summary and carries the
tool's name, its log path and the log's last lines (also available as attributes of the error).
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from sc_neurocore.errors import InputError, ToolError, ToolMissingError, ToolTimeoutError
from sc_neurocore.backends.flow.orphans import die_with_parent

__all__ = ["LOG_TAIL_LINES", "run_tool", "capture_tool_output", "log_tail", "tool_error"]

LOG_TAIL_LINES = 15
_TAIL_BYTES = 64 * 1024


def log_tail(log_path: Path, lines: int = LOG_TAIL_LINES) -> list[str]:
    """The last `lines` lines of a log file (empty when it cannot be read)."""
    try:
        with open(log_path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - _TAIL_BYTES))
            text = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return []
    return text.splitlines()[-lines:]


def tool_error(error_type: type[ToolError], name: str, summary: str, log_path: Path) -> ToolError:
    """Build a tool error: summary line, log path, last log lines; name and log kept as attributes."""
    tail = log_tail(log_path)
    message = f"{summary}\n  log: {log_path}"
    if tail:
        message += "\n  last lines of the log:\n" + "\n".join(f"    {line}" for line in tail)
    error = error_type(message)
    error.tool_name = name
    error.log_path = Path(log_path)
    error.log_tail = tuple(tail)
    return error


def _describe_exit(return_code: int) -> str:
    if return_code < 0:
        try:
            return f"was killed by {signal.Signals(-return_code).name}"
        except ValueError:
            return f"was killed by signal {-return_code}"
    return f"exited with code {return_code}"


def _stop(process: subprocess.Popen, own_process_group: bool) -> None:
    # Killing the whole group also stops grandchildren (make -> launcher -> tool).
    try:
        if own_process_group:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except ProcessLookupError:
        pass
    process.wait()


def run_tool(
    name: str,
    argv: Sequence[str],
    cwd: Path,
    log_path: Path,
    timeout_s: float | None,
    env: Mapping[str, str] | None = None,
    *,
    own_process_group: bool = True,
) -> None:
    """Run `argv` in `cwd`, writing its stdout and stderr to `log_path`.

    `env` replaces the environment when given (pass `{**os.environ, ...}` to extend it).
    The process runs in its own process group so that a timeout kills everything it started; a
    caller that is itself run under a process-group timeout (the edalize launcher) passes
    `own_process_group=False` so that its child stays inside the group that will be killed.

    Raises ToolMissingError when the executable does not exist, ToolTimeoutError after `timeout_s`
    seconds (None: no limit of its own) and ToolError on a non-zero exit.
    """
    argv = [str(arg) for arg in argv]
    if not Path(cwd).is_dir():
        # Popen would report this as a missing executable.
        raise InputError(f"{name}: working directory {cwd} does not exist")
    log_path = Path(log_path)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as log:
        try:
            process = subprocess.Popen(
                argv,
                cwd=cwd,
                env=None if env is None else dict(env),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=own_process_group,
                preexec_fn=die_with_parent(os.getpid()) if own_process_group else None,
            )
        except FileNotFoundError as exc:
            raise ToolMissingError(f"{name}: executable not found: {argv[0]}") from exc
        except PermissionError as exc:
            raise ToolMissingError(f"{name}: {argv[0]} is not executable") from exc
        try:
            return_code = process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            _stop(process, own_process_group)
            raise tool_error(
                ToolTimeoutError, name, f"{name} ran past its time limit of {timeout_s:g} s and was stopped", log_path
            ) from None
        except BaseException:
            _stop(process, own_process_group)
            raise
    if return_code != 0:
        raise tool_error(ToolError, name, f"{name} {_describe_exit(return_code)}", log_path)


def capture_tool_output(name: str, argv: Sequence[str], timeout_s: float) -> str:
    """Run a short query (such as `--version`) through `run_tool` and return what it printed."""
    with tempfile.TemporaryDirectory(prefix="sc_neurocore_") as scratch:
        log_path = Path(scratch) / "output.log"
        try:
            run_tool(name, argv, cwd=Path(scratch), log_path=log_path, timeout_s=timeout_s)
        except ToolError as error:
            # the scratch log is about to be deleted: name the command instead, keep the last lines
            summary, _, rest = str(error).partition("\n  log: ")
            tail = rest.partition("\n")[2]
            failure = type(error)(f"{summary} (command: {' '.join(map(str, argv))})" + (f"\n{tail}" if tail else ""))
            failure.tool_name, failure.log_path, failure.log_tail = name, None, getattr(error, "log_tail", ())
            raise failure from None
        return log_path.read_text(encoding="utf-8", errors="replace")
