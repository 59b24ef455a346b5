"""A separate virtual environment for the peer package ``sc-neurocore==3.16.0``.

The peer has the same import name as this project, so it never enters our process: it lives in
``benchmarks/.peer-venv`` (ignored by git through a ``.gitignore`` inside that folder) and runs
snippets in a subprocess with ``python -I`` (isolated: no current directory, no PYTHONPATH, no
user site), from a temporary working directory, so that ``import sc_neurocore`` there can only
find the peer.

Usage from a benchmark::

    from peer_env import run_peer
    result = run_peer("import json; print(json.dumps({'ok': 1}))")
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

__all__ = ["PEER_REQUIREMENT", "PEER_VERSION", "ensure_peer_env", "run_peer"]

PEER_VERSION = "3.16.0"
PEER_REQUIREMENT = f"sc-neurocore=={PEER_VERSION}"
VENV_DIR = Path(__file__).resolve().parent / ".peer-venv"


def _python() -> Path:
    return VENV_DIR / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def _run(args: list[str], timeout: float, cwd: str | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run(args, capture_output=True, text=True, timeout=timeout, cwd=cwd, check=False)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-15:])
        raise RuntimeError(f"{args[0]} {args[1]} failed with exit code {result.returncode}:\n{tail}")
    return result


def _installed_version() -> str | None:
    if not _python().exists():
        return None
    probe = "import importlib.metadata as m; print(m.version('sc-neurocore'))"
    try:
        return _run([str(_python()), "-I", "-c", probe], timeout=60, cwd=tempfile.gettempdir()).stdout.strip()
    except RuntimeError:
        return None


def ensure_peer_env() -> Path:
    """Create the venv and install the peer when missing; return the venv's python."""
    if _installed_version() == PEER_VERSION:
        return _python()
    VENV_DIR.mkdir(parents=True, exist_ok=True)
    (VENV_DIR / ".gitignore").write_text("*\n")
    venv.EnvBuilder(with_pip=True, clear=False).create(VENV_DIR)
    _run([str(_python()), "-m", "pip", "install", "--quiet", PEER_REQUIREMENT], timeout=900)
    found = _installed_version()
    if found != PEER_VERSION:
        raise RuntimeError(f"peer venv at {VENV_DIR} has sc-neurocore {found}, expected {PEER_VERSION}")
    return _python()


def run_peer(snippet: str, timeout: float = 600) -> dict:
    """Run ``snippet`` with the peer's python; its last stdout line must be a JSON object."""
    python = ensure_peer_env()
    with tempfile.TemporaryDirectory(prefix="sc_peer_") as scratch:
        result = _run([str(python), "-I", "-c", snippet], timeout=timeout, cwd=scratch)
    lines = result.stdout.strip().splitlines()
    if not lines:
        raise RuntimeError("peer snippet printed nothing")
    return json.loads(lines[-1])
