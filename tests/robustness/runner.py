"""Runs corpus cases in-process through `sc_neurocore.cli.app.main`, capturing stdout and stderr."""

from __future__ import annotations

import contextlib
import io
import os
import resource
import time
from dataclasses import dataclass
from pathlib import Path

from sc_neurocore.cli.app import main

from .corpus import EITHER, ERROR, VALID, Case

TIME_LIMIT_S = 10.0
MEMORY_LIMIT_KB = 1 << 20  # 1 GiB of resident memory (ru_maxrss is in KiB on Linux)


@dataclass(frozen=True)
class Outcome:
    code: int
    stderr: str
    seconds: float
    max_rss_kb: int


@contextlib.contextmanager
def _environment(entries: dict, cwd: Path):
    saved = {key: os.environ.get(key) for key in entries}
    previous = os.getcwd()
    os.environ.update(entries)
    cwd.mkdir(parents=True, exist_ok=True)
    os.chdir(cwd)
    try:
        yield
    finally:
        os.chdir(previous)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_case(case: Case, cwd: Path) -> Outcome:
    stdout, stderr = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    with _environment(case.env, cwd), contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(list(case.argv))
    seconds = time.perf_counter() - started
    return Outcome(code, stderr.getvalue(), seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def problems(case: Case, outcome: Outcome) -> list[str]:
    """What is wrong with how `case` ended (empty: it ended as it must)."""
    found = []
    lines = outcome.stderr.splitlines()
    if "Traceback" in outcome.stderr:
        found.append("traceback on stderr")
    if "internal error" in outcome.stderr:
        found.append("an internal error reached the boundary: " + outcome.stderr.strip()[:300])
    if outcome.seconds > TIME_LIMIT_S:
        found.append(f"took {outcome.seconds:.1f} s (limit {TIME_LIMIT_S:g} s)")
    if outcome.max_rss_kb > MEMORY_LIMIT_KB:
        found.append(f"resident memory reached {outcome.max_rss_kb // 1024} MiB")
    failed = outcome.code in (1, 2)
    clean_error = len(lines) == 1 and lines[0].startswith("error: ")
    if case.expect == ERROR and not (failed and clean_error):
        found.append(f"expected one error line and exit 1/2, got exit {outcome.code}: {outcome.stderr.strip()[:300]!r}")
    if case.expect == VALID and outcome.code != 0:
        found.append(f"valid on purpose, got exit {outcome.code}: {outcome.stderr.strip()[:300]!r}")
    if case.expect == "valid-at-tools" and not (outcome.code == 1 and clean_error and "YOSYS" in outcome.stderr):
        found.append(f"expected to pass every check and stop at the missing tools, got exit {outcome.code}: "
                     f"{outcome.stderr.strip()[:300]!r}")
    if case.expect == EITHER and not (outcome.code == 0 or (failed and clean_error)):
        found.append(f"expected exit 0 or one clean error line, got exit {outcome.code}: {outcome.stderr.strip()[:300]!r}")
    return found
