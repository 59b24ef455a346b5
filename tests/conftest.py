"""Shared fixtures: where the NIR-paper conformance files live, and tool requirements.

Co-simulation and EDA tests need real tools. In CI (CI=true) a missing tool is a failure; on a
developer machine it is a skip with the reason.
"""

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# A copy of the NIR paper reference files (BSD-3-Clause, see its LICENSE), so a fresh clone tests alone.
NIR_PAPER = REPO / "tests" / "data" / "nir-paper" / "paper"


def require_executable(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (make test installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def require_module(module: str):
    """A peer framework for interop tests: missing in CI (make test installs the extras) fails, else skips."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as error:
        if os.environ.get("CI"):
            pytest.fail(f"{module} is not installed: {error}", pytrace=False)
        pytest.skip(f"{module} is not installed", allow_module_level=True)


@pytest.fixture
def nir_paper() -> Path:
    if not NIR_PAPER.is_dir():
        pytest.fail(f"the NIR-paper conformance data is missing: {NIR_PAPER}")
    return NIR_PAPER


@pytest.fixture
def icarus() -> str:
    require_executable("vvp")
    return require_executable("iverilog")
