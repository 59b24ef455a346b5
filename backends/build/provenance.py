"""What produced a build: package version, source commit when run from a checkout, model and options."""

import hashlib
from pathlib import Path

from sc_neurocore import __version__

__all__ = ["provenance"]


def _source_commit() -> str | None:
    """The commit of the sc-neurocore checkout this package runs from, read from .git without git."""
    git = Path(__file__).resolve().parents[2] / ".git"
    try:
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return head
        ref = head[5:]
        ref_file = git / ref
        if ref_file.is_file():
            return ref_file.read_text().strip()
        for line in (git / "packed-refs").read_text().splitlines():
            if line.endswith(" " + ref):
                return line.split()[0]
    except OSError:
        return None
    return None


def provenance(model_path: Path, options: dict) -> dict:
    data = Path(model_path).read_bytes()
    return {
        "sc_neurocore": __version__,
        "commit": _source_commit(),
        "model": str(model_path),
        "model_sha256": hashlib.sha256(data).hexdigest(),
        "options": options,
    }
