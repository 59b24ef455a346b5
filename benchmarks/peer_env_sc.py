"""The peer package sc-neurocore==3.16.0 in its own virtual environment, run in a subprocess.

It installs under our import name, so it lives in benchmarks/.peer-venv-sc (ignored by git through a
`*` .gitignore inside it) and is never imported by this process.
"""

import json
import subprocess
import sys
from pathlib import Path

PEER = "sc-neurocore==3.16.0"
VENV = Path(__file__).resolve().parent / ".peer-venv-sc"


def peer_python() -> Path:
    """Path of the peer venv's python, creating the venv and installing the peer when missing."""
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True, timeout=300)
        (VENV / ".gitignore").write_text("*\n")
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", PEER], check=True, timeout=900)
    return python


def run_peer(script: str, timeout: float = 300) -> dict:
    """Run `script` with the peer's python (cwd outside the repo) and parse the JSON it prints last."""
    result = subprocess.run(
        [str(peer_python()), "-c", script],
        cwd=VENV,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])
