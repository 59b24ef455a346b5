"""The malformed-input corpus: every case ends cleanly (one error line, exit 1 or 2, no traceback,
within 10 s and 1 GiB) or is valid on purpose, as `tests/robustness/corpus.py` declares.

Most cases run in-process through `sc_neurocore.cli.app.main` (fast); the few whose point is a
resource limit run as real processes under RLIMIT_AS = 1 GiB and a 10 s timeout.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from .corpus import ERROR, VALID, generate
from .runner import MEMORY_LIMIT_KB, TIME_LIMIT_S, problems, run_case

MIN_CASES = 300


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    return root, generate(root)


def test_the_corpus_is_large_seeded_and_mostly_malformed(corpus, tmp_path):
    root, cases = corpus
    assert len(cases) >= MIN_CASES
    errors = [case for case in cases if case.expect == ERROR]
    assert len(errors) >= MIN_CASES
    again = generate(tmp_path / "again")  # same seed, same corpus
    assert [(c.name, c.expect) for c in again] == [(c.name, c.expect) for c in cases]


def test_every_case_ends_cleanly(corpus):
    root, cases = corpus
    failures = []
    for case in cases:
        outcome = run_case(case, root / "cwd" / case.name[:80])
        failures += [f"{case.name}: {problem}" for problem in problems(case, outcome)]
    assert not failures, f"{len(failures)} of {len(cases)} cases:\n" + "\n".join(failures[:40])
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < MEMORY_LIMIT_KB


def test_valid_on_purpose_cases_are_listed(corpus):
    """The corpus says which cases are valid: hostile node names (names are data), a scalar bias, a
    recurrent graph, inputs and outputs that are fine, seeds of 0 and specs that stop at the tools."""
    _, cases = corpus
    valid = sorted(case.name for case in cases if case.expect != ERROR)
    assert any(name.startswith("nir-hostile-name") for name in valid)
    assert len(valid) < len(cases) // 4


_LIMIT_CASES = ("npy-zip-bomb", "npy-lying-header", "yaml-spec-billion-laughs", "yaml-train-billion-laughs",
                "nir-nested-1200", "yaml-spec-deep-list", "yaml-spec-huge-doc", "option-simulate--steps-bigint",
                "block-option-tokens-huge", "yaml-spec-embed_dim-huge")


def _limited():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_KB * 1024, MEMORY_LIMIT_KB * 1024))


@pytest.mark.parametrize("name", _LIMIT_CASES)
def test_resource_bombs_stay_within_1_gib_and_10_s_in_a_real_process(corpus, name):
    root, cases = corpus
    case = next(case for case in cases if case.name == name)
    executable = Path(sys.executable).with_name("sc-neurocore")
    env = {**os.environ, **case.env, "OPENBLAS_NUM_THREADS": "1"}
    cwd = root / "proc" / name
    cwd.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([str(executable), *case.argv], capture_output=True, text=True, cwd=cwd, env=env,
                          preexec_fn=_limited, timeout=TIME_LIMIT_S + 5)
    lines = done.stderr.splitlines()
    assert done.returncode in (1, 2) and len(lines) == 1 and lines[0].startswith("error: "), done.stderr[-500:]
    assert VALID != case.expect
