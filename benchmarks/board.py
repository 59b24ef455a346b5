"""The figures of docs/board.md, from real runs, written to benchmarks/results/board.json.

1. The demo network deployed for every board profile (`deploy --board NAME`): logic cells, EBR, Fmax,
   core clock; the same on the iCEBreaker with `--freq auto`.
2. The demo and the trained FPGA transformer (`examples/train_transformer_fpga.yaml`) run on their
   simulated board (`run --simulate`): inferences, agreement with the integer twin, accuracy, bytes on the
   link, board time simulated, wall time; and `report`'s link figures (bytes per inference, link time
   against core time, which bounds).

Every step is the command line a user types, run as a subprocess in a scratch folder.

Usage: python benchmarks/board.py [--samples 20] [--skip-transformer]
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from sc_neurocore.backends.board.profiles import BOARDS
from sc_neurocore.backends.build.provenance import provenance

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "examples" / "demo_lif.nir"
TRANSFORMER_CONFIG = REPO / "examples" / "train_transformer_fpga.yaml"
RESULT = REPO / "benchmarks" / "results" / "board.json"


def cli(work: Path, *args) -> dict:
    """`sc-neurocore ARGS --json` in `work`: its JSON and its wall time."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "sc_neurocore.cli.app", *map(str, args), "--json"], cwd=work,
                          capture_output=True, text=True,
                          env={**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"})
    if done.returncode:
        raise SystemExit(f"sc-neurocore {' '.join(map(str, args))} failed:\n{done.stderr}")
    return {"json": json.loads(done.stdout), "seconds": round(time.perf_counter() - started, 1)}


def _build_figures(deployed: dict, build_dir: Path) -> dict:
    record = deployed["json"]
    rows = {row["name"]: row["used"] for row in record["resources"]}
    fmax = min(value["achieved"] for value in record["fmax_mhz"].values())
    board = json.loads((build_dir / "manifest.json").read_text())["board"]
    return {"logic_cells": rows.get("logic cells"), "ebr": rows.get("EBR"), "spram": rows.get("SPRAM"),
            "fmax_mhz": round(fmax, 1), "core_clock_mhz": board["core_clock_mhz"], "pll": board["pll"],
            "clock_reason": board["clock_reason"], "deploy_seconds": deployed["seconds"]}


def _run_figures(ran: dict, reported: dict) -> dict:
    record = ran["json"]
    return {"inferences": record["inferences"], "mismatches_against_twin": record["mismatches_against_twin"],
            "accuracy": record.get("accuracy"), "bytes_to_device": record["bytes_to_device"],
            "bytes_from_device": record["bytes_from_device"],
            "simulated_board_seconds": round(record["simulated_board_seconds"], 4), "wall_seconds": ran["seconds"],
            "link_per_inference": reported["json"]["builds"][0]["link"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20, help="test images the transformer runs")
    parser.add_argument("--skip-transformer", action="store_true")
    args = parser.parse_args()
    results = {"machine": {"python": platform.python_version(), "platform": platform.platform(),
                           "blas_threads": 1},
               "commit": provenance(DEMO, {})["commit"], "demo": {}, "demo_run": None, "transformer": None}
    with tempfile.TemporaryDirectory(prefix="board_bench_") as scratch:
        work = Path(scratch)
        for board in BOARDS:
            deployed = cli(work, "deploy", DEMO, "--board", board, "-o", f"build/demo_{board}")
            results["demo"][board] = _build_figures(deployed, work / f"build/demo_{board}")
            print(f"demo on {board}: {results['demo'][board]}", flush=True)
        auto = cli(work, "deploy", DEMO, "--board", "icebreaker", "--freq", "auto", "-o", "build/demo_auto")
        results["demo"]["icebreaker --freq auto"] = _build_figures(auto, work / "build/demo_auto")
        results["tools"] = auto["json"]["tools"]
        data = work / "demo_spikes.npy"
        np.save(data, (np.random.default_rng(0).random((20, 4, 64)) < 0.2).astype(np.float64))
        ran = cli(work, "run", "build/demo_icebreaker", "--simulate", "--input", data)
        reported = cli(work, "report", "build/demo_icebreaker", "--model", DEMO, "--input", data)
        results["demo_run"] = _run_figures(ran, reported)
        print(f"demo run: {results['demo_run']}", flush=True)
        if not args.skip_transformer:
            trained = cli(work, "train", TRANSFORMER_CONFIG)
            model = work / "train-out" / "transformer-fpga"
            deployed = cli(work, "deploy", model / "model.nir", "--board", "icebreaker", "-o", "build/transformer")
            ran = cli(work, "run", "build/transformer", "--simulate", "--input", model / "test_set.npz",
                      "--samples", args.samples)
            reported = cli(work, "report", "build/transformer")
            results["transformer"] = {"train_seconds": trained["seconds"],
                                      **_build_figures(deployed, work / "build/transformer"),
                                      **_run_figures(ran, reported)}
            print(f"transformer: {results['transformer']}", flush=True)
    RESULT.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {RESULT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
