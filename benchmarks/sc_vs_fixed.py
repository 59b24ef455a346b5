"""One 64 -> 32 LIF layer built with --arith fixed and --arith sc on a UP5K, side by side.

For each build: logic cells, RAM, DSP and Fmax from the real flow (yosys, nextpnr-ice40), clock cycles
per time step from Icarus running the emitted testbench (its trace is checked against the executor on
the way: 0 mismatches or the script fails), time per inference = cycles x steps / Fmax, and the accuracy
of the executor against the float reference on the same Poisson input. Written to
benchmarks/results/sc_vs_fixed.json; the table goes into docs/stochastic.md.

Usage: python benchmarks/sc_vs_fixed.py [--lengths 64 256 1024] [--steps 100] [--batch 16]
"""

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

import nir
import numpy as np

from sc_neurocore.backends.cores import core_for_network
from sc_neurocore.backends.cosim import cosimulate
from sc_neurocore.backends.deploy import deploy_core
from sc_neurocore.backends.flow.icestorm import Ice40Options
from sc_neurocore.backends.build.provenance import provenance
from sc_neurocore.passes.pipeline import load_quantised
from sc_neurocore.sim.sc import run_sc, sc_config
from sc_neurocore.sim import run_fixed, run_float
from sc_neurocore.sim.stimulus import poisson_spikes
from result_file import write_result

REPO = Path(__file__).resolve().parent.parent
RESULT = REPO / "benchmarks" / "results" / "sc_vs_fixed.json"
RATE, SEED, COSIM_STEPS = 0.1, 0, 10


def layer_graph() -> nir.NIRGraph:
    """64 -> 32 LIF with the demo network's first-layer statistics (seeded)."""
    rng = np.random.default_rng(54)
    return nir.NIRGraph.from_list(
        nir.Input(np.array([64])),
        nir.Affine(rng.normal(0.0, 0.25, (32, 64)), rng.normal(0.0, 0.02, 32)),
        nir.LIF(tau=rng.uniform(2e-3, 5e-3, 32), r=np.ones(32), v_leak=np.zeros(32),
                v_threshold=np.full(32, 0.05), v_reset=np.zeros(32)),
        nir.Output(np.array([32])),
    )


def accuracy(result, reference, scale: float) -> dict:
    """Agreement of spike decisions, relative L1 error of per-neuron spike counts, membrane RMS error."""
    spikes, ref = result.output, reference.output
    counts, ref_counts = spikes.sum(axis=0), ref.sum(axis=0)
    v, ref_v = result.voltages[result.output_name] * scale, reference.voltages[reference.output_name]
    return {
        "spike_agreement": float((spikes == ref).mean()),
        "spike_count_error": float(np.abs(counts - ref_counts).sum() / max(ref_counts.sum(), 1)),
        "membrane_rms_error": float(np.sqrt(((v - ref_v) ** 2).mean())),
        "spikes": int(spikes.sum()),
    }


def hardware(qnet, spikes, sc, work: Path) -> dict:
    started = time.perf_counter()
    deploy = deploy_core(core_for_network(qnet, sc), work / "build", Ice40Options(device="up5k"), force=True)
    report = deploy.report.to_dict()
    used = {row["name"]: row["used"] for row in report["resources"]}
    fmax = next(iter(report["fmax_mhz"].values()))["achieved"]
    cosim = cosimulate(core_for_network(qnet, sc), work / "cosim", spikes)
    if cosim.mismatches:
        raise SystemExit(f"co-simulation mismatch: {cosim.first_mismatch()}")
    cycles_per_step = cosim.cycles / spikes.shape[0]
    return {
        "logic_cells": used["logic cells"], "lut4": used["LUT4"], "carries": used["carries"],
        "flip_flops": used["flip-flops"], "ebr": used["EBR"], "spram": used["SPRAM"], "dsp": used["DSP"],
        "io": used["IO"], "fmax_mhz": round(fmax, 2), "cycles_per_step": cycles_per_step,
        "cosim_mismatches": cosim.mismatches, "flow_seconds": round(time.perf_counter() - started, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[64, 256, 1024])
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--batch", type=int, default=16)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sc_vs_fixed_") as scratch:
        work = Path(scratch)
        model = work / "layer.nir"
        nir.write(model, layer_graph())
        network, qnet = load_quantised(model)
        inputs = poisson_spikes(args.steps, 64, RATE, SEED, args.batch)
        reference = run_float(network, inputs, record_voltages=True)
        scale = qnet.population(qnet.output).scale
        stimulus = inputs[:COSIM_STEPS, 0].astype(np.int64)
        rows = []
        for length in [None, *args.lengths]:
            sc = None if length is None else sc_config(length)
            run = run_fixed(qnet, inputs, record_voltages=True) if sc is None else run_sc(qnet, inputs, sc, record_voltages=True)
            row = {"arith": "fixed" if sc is None else "sc", "stream_length": length,
                   **hardware(qnet, stimulus, sc, work / f"build_{length or 'fixed'}"),
                   "accuracy_vs_float": accuracy(run, reference, scale)}
            row["us_per_inference"] = round(row["cycles_per_step"] * args.steps / row["fmax_mhz"], 1)
            rows.append(row)
            print(json.dumps(row), flush=True)
        results = {
            "benchmark": "sc_vs_fixed",
            "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}",
            "provenance": provenance(model, {"weight_bits": qnet.weight_bits, "state_bits": qnet.state_bits}),
            "network": "64 -> 32 LIF (benchmarks/sc_vs_fixed.py:layer_graph), dt 1e-4 s",
            "input": {"poisson_rate": RATE, "seed": SEED, "steps": args.steps, "batch": args.batch,
                      "cycles_measured_on_steps": COSIM_STEPS},
            "device": "iCE40 UP5K-sg48, 12 MHz constraint, nextpnr seed 1",
            "inference": f"{args.steps} time steps; time = cycles per step x steps / Fmax",
            "rows": rows,
        }
    write_result(RESULT, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
