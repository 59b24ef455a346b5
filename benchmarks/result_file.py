"""The one writer of a benchmark's result file (benchmarks/results/<name>.json)."""

import json
from pathlib import Path


def write_result(path: Path, results: dict) -> None:
    """`results` as indented JSON at `path` (its folder made if missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n")
