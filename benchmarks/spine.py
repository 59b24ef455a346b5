"""Spine benchmarks for the demo network, written to benchmarks/results/spine.json.

1. The fixed executor against Icarus Verilog running the emitted RTL on the same stimulus
   (target: executor >= 100x faster); the two traces are compared in the same run.
2. The demo deploy with a warm tool cache: wall time per stage (target: < 60 s in total).

Usage: python benchmarks/spine.py [--steps 200] [--skip-deploy]
"""

import argparse
import json
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from sc_neurocore.backends.cores.network.core import NetworkCore
from sc_neurocore.backends.cores.network.trace import expected_trace
from sc_neurocore.backends.cosim import run_icarus
from sc_neurocore.backends.deploy import deploy_core
from sc_neurocore.backends.flow.icestorm import Ice40Options
from sc_neurocore.backends.build.provenance import provenance
from sc_neurocore.backends.cores.network.design import SOURCES, emit
from sc_neurocore.backends.flow.toolrun import capture_tool_output
from sc_neurocore.passes.pipeline import ModelOptions, load_quantised
from sc_neurocore.sim import run_fixed
from result_file import write_result

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "examples" / "demo_lif.nir"
RESULT = REPO / "benchmarks" / "results" / "spine.json"


def _best_of(repeats: int, work) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def executor_vs_icarus(steps: int) -> dict:
    _, qnet = load_quantised(DEMO, ModelOptions())
    spikes = (np.random.default_rng(0).random((steps, qnet.input_size)) < 0.2).astype(np.int64)
    executor_s = _best_of(5, lambda: run_fixed(qnet, spikes[:, None, :]))
    with tempfile.TemporaryDirectory(prefix="sc_bench_") as scratch:
        work = Path(scratch)
        for path, text in emit(qnet, stimulus=spikes).files.items():
            (work / path).write_text(text)
        started = time.perf_counter()
        rtl, cycles = run_icarus(work, SOURCES)
        icarus_s = time.perf_counter() - started
    expected = expected_trace(qnet, spikes)
    mismatches = sum(a != b for a, b in zip(rtl, expected)) + abs(len(rtl) - len(expected))
    return {
        "network": "examples/demo_lif.nir (64 -> 32 LIF -> 10 LIF)",
        "steps": steps,
        "input_rate": 0.2,
        "executor_seconds": executor_s,
        "icarus_seconds": icarus_s,
        "icarus_includes": "iverilog compile + vvp run",
        "ratio_icarus_over_executor": icarus_s / executor_s,
        "target_ratio": 100,
        "target_met": icarus_s / executor_s >= 100,
        "trace_mismatches": mismatches,
        "rtl_cycles": cycles,
        "cycles_per_step": cycles / steps,
        "icarus_version": capture_tool_output("iverilog", [shutil.which("iverilog"), "-V"], 30).splitlines()[0],
    }


def demo_deploy() -> dict:
    _, qnet = load_quantised(DEMO, ModelOptions())
    with tempfile.TemporaryDirectory(prefix="sc_bench_") as scratch:
        started = time.perf_counter()
        result = deploy_core(NetworkCore(qnet), Path(scratch) / "demo", Ice40Options(), provenance=provenance(DEMO, {}))
        total = time.perf_counter() - started
    report = result.report.to_dict()
    return {
        "device": "up5k-sg48",
        "stage_seconds": report["stage_seconds"],
        "total_seconds": total,
        "target_seconds": 60,
        "target_met": total < 60,
        "resources": report["resources"],
        "fmax_mhz": report["fmax_mhz"],
        "tools": report["tools"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--skip-deploy", action="store_true")
    args = parser.parse_args()
    results = {
        "benchmark": "spine",
        "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}",
        "provenance": provenance(DEMO, {}),
        "executor_vs_icarus": executor_vs_icarus(args.steps),
    }
    if not args.skip_deploy:
        results["demo_deploy_warm"] = demo_deploy()
    write_result(RESULT, results)
    print(json.dumps(results, indent=2))
    met = results["executor_vs_icarus"]["target_met"] and results.get("demo_deploy_warm", {}).get("target_met", True)
    return 0 if met and results["executor_vs_icarus"]["trace_mismatches"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
