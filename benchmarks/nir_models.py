"""The NIR paper's networks: simulation time per time step, ours (float and fixed) against snnTorch running
the same NIR file, and a real UP5K deploy of each of them.

Peers, measured in the same process (torch CPU, torch.set_num_threads(2), float32, no autograd):
- Braille nets: snnTorch 1.0.0's own per-node converter (`snntorch.import_nir._nir_to_snntorch_module`:
  Linear, RSynaptic, Linear, Synaptic) driven with explicit state. `import_from_nir` itself fails on
  these files (nirtorch 2.6 recursion into the RSynaptic subgraph; see tests/interop/test_braille_activity.py).
- cnn_sinabs.nir: `import_from_nir` builds a module that cannot run (its IF becomes a Leaky returning a
  tuple, SumPool2d has no mapping), so the peer is the file's weights in snnTorch modules built here:
  torch Conv2d/Linear, snn.Leaky(beta=1, reset to zero, same step) for IF, AvgPool2d with divisor 1 for
  SumPool2d.
Ours: `sc_neurocore.sim.run_float` (float64, the reference; and precision="float32", the opt-in mode that
computes in float32 end to end as snnTorch does) and `run_fixed` (int64, the RTL's arithmetic; its convolutions
on spikes run in float32 where every partial sum is provably exact, see sc_neurocore/kernels/exact.py) on
the same Bernoulli input. Each timing is the best of `--repeats` runs. The ratio is ours / snnTorch (target <= 1).

Deploy (one model at a time): `deploy_core` with Ice40Options() (UP5K-sg48, 12 MHz constraint, seed 1);
logic cells, EBR, SPRAM, DSP, Fmax; throughput at the achieved Fmax: for the Braille nets (event-driven
core) from `sc_neurocore.report.throughput` with the event counts of the fixed run on the benchmark input,
for the CNN (convolution core, activity-independent schedule) from its exact cycle model.

With --no-deploy the "deploy" section of the previous results file is carried over unchanged (other runs
add to it), and "deploy_provenance" says so.

Usage: python benchmarks/nir_models.py [--no-deploy] [--repeats 3] [--batches 1 16]
"""

import argparse
import contextlib
import cProfile
import io
import json
import os
import platform
import pstats
import sys
import tempfile
import time
from pathlib import Path

import nir
import numpy as np
import snntorch as snn
from snntorch import utils as snn_utils
import torch
from snntorch import import_nir

from sc_neurocore.backends.cores import core_for_network
from sc_neurocore.backends.cores.conv.core import conv_throughput
from sc_neurocore.backends.cores.conv.design import CONV_MODULE
from sc_neurocore.backends.deploy import deploy_core
from sc_neurocore.backends.flow.icestorm import Ice40Options
from sc_neurocore.passes.pipeline import ModelOptions, load_quantised
from sc_neurocore.report.throughput import CoreShape, throughput
from sc_neurocore.sim import run_fixed, run_float
from sc_neurocore.sim.stimulus import poisson_spikes
from result_file import write_result

REPO = Path(__file__).resolve().parent.parent
PAPER = REPO / "tests" / "data" / "nir-paper" / "paper"
RESULT = REPO / "benchmarks" / "results" / "nir_models.json"
MODELS = {
    "braille_noDelay_bias_zero": (PAPER / "03_rnn" / "braille_noDelay_bias_zero.nir", 256, 0.1),
    "braille_noDelay_noBias_subtract": (PAPER / "03_rnn" / "braille_noDelay_noBias_subtract.nir", 256, 0.1),
    "cnn_sinabs": (PAPER / "02_cnn" / "cnn_sinabs.nir", 30, 0.05),
}
SEED = 0


class BrailleSnntorch:
    """snnTorch's reading of a Braille file, stepped with explicit state."""

    def __init__(self, path: Path):
        graph = nir.read(str(path))
        with contextlib.redirect_stdout(io.StringIO()):
            graph = import_nir._replace_rnn_subgraph_with_nirgraph(graph)
            self.fc1, self.lif1, self.fc2, self.lif2 = (
                import_nir._nir_to_snntorch_module(graph.nodes[name], init_hidden=False) for name in ("fc1", "lif1", "fc2", "lif2")
            )

    def run(self, inputs: torch.Tensor) -> torch.Tensor:
        batch = inputs.shape[1]
        spk = syn = mem = torch.zeros(batch, self.fc1.out_features)
        syn2 = mem2 = torch.zeros(batch, self.fc2.out_features)
        outs = []
        for t in range(inputs.shape[0]):
            spk, syn, mem = self.lif1(self.fc1(inputs[t]), spk, syn, mem)
            out, syn2, mem2 = self.lif2(self.fc2(spk), syn2, mem2)
            outs.append(out)
        return torch.stack(outs)


class CnnSnntorch:
    """cnn_sinabs.nir's weights in snnTorch modules (see the module docstring)."""

    def __init__(self, path: Path):
        graph = nir.read(str(path))
        layers = []
        for name in [str(i) for i in range(13)]:  # the file's nodes "0".."12" form one chain
            node = graph.nodes[name]
            kind = type(node).__name__
            if kind == "Conv2d":
                conv = torch.nn.Conv2d(node.weight.shape[1], node.weight.shape[0], tuple(node.weight.shape[2:]),
                                       stride=tuple(int(s) for s in node.stride), padding=tuple(int(p) for p in node.padding))
                conv.weight.data, conv.bias.data = torch.tensor(node.weight).float(), torch.tensor(node.bias).float()
                layers.append(conv)
            elif kind == "IF":
                layers.append(snn.Leaky(beta=1.0, threshold=float(np.unique(node.v_threshold)[0]), reset_mechanism="zero",
                                        reset_delay=False, init_hidden=True))
            elif kind == "SumPool2d":
                layers.append(torch.nn.AvgPool2d(tuple(int(k) for k in node.kernel_size), divisor_override=1))
            elif kind == "Flatten":
                layers.append(torch.nn.Flatten())
            elif kind == "Affine":
                linear = torch.nn.Linear(node.weight.shape[1], node.weight.shape[0])
                linear.weight.data, linear.bias.data = torch.tensor(node.weight).float(), torch.tensor(node.bias).float()
                layers.append(linear)
            else:
                raise SystemExit(f"unexpected node {name} ({kind}) in {path}")
        self.net = torch.nn.Sequential(*layers)

    def run(self, inputs: torch.Tensor) -> torch.Tensor:
        snn_utils.reset(self.net)
        return torch.stack([self.net(inputs[t].reshape(-1, 2, 34, 34)) for t in range(inputs.shape[0])])


def best_of(repeats: int, run) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return min(times), result


def profile(run, top: int = 8) -> list[dict]:
    profiler = cProfile.Profile()
    profiler.runcall(run)
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    rows = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:top]  # by own time
    return [{"function": f"{Path(file).name}:{line}:{name}", "own_seconds": round(data[2], 4),
             "share": round(data[2] / total, 3), "calls": data[1]} for (file, line, name), data in rows]


def timings(name: str, path: Path, steps: int, rate: float, batch: int, repeats: int) -> tuple[dict, object, np.ndarray]:
    network, qnet = load_quantised(path, ModelOptions())
    inputs = poisson_spikes(steps, network.input_size, rate, SEED, batch)
    peer = BrailleSnntorch(path) if name.startswith("braille") else CnnSnntorch(path)
    x = torch.tensor(inputs, dtype=torch.float32)
    with torch.no_grad():
        peer.run(x[:2])  # warm-up
        peer_s, _ = best_of(repeats, lambda: peer.run(x))
        torch.set_num_threads(1)  # a second reading, robust to a busy second core
        peer_1t, _ = best_of(repeats, lambda: peer.run(x))
        torch.set_num_threads(2)
    run_float(network, inputs[:2])
    float_s, _ = best_of(repeats, lambda: run_float(network, inputs))
    run_float(network, inputs[:2], precision="float32")
    float32_s, _ = best_of(repeats, lambda: run_float(network, inputs, precision="float32"))
    fixed_s, fixed = best_of(repeats, lambda: run_fixed(qnet, inputs))
    row = {
        "model": name, "batch": batch, "steps": steps, "input_rate": rate,
        "snntorch_us_per_step": round(peer_s / steps * 1e6, 1),
        "float_us_per_step": round(float_s / steps * 1e6, 1),
        "fixed_us_per_step": round(fixed_s / steps * 1e6, 1),
        "float32_us_per_step": round(float32_s / steps * 1e6, 1),
        "float_ratio": round(float_s / peer_s, 3), "fixed_ratio": round(fixed_s / peer_s, 3),
        "float32_ratio": round(float32_s / peer_s, 3),
        "snntorch_1thread_us_per_step": round(peer_1t / steps * 1e6, 1),
        "float_ratio_vs_1thread": round(float_s / peer_1t, 3), "fixed_ratio_vs_1thread": round(fixed_s / peer_1t, 3),
        "float32_ratio_vs_1thread": round(float32_s / peer_1t, 3),
    }
    for mode, ratio, run in (("float", row["float_ratio"], lambda: run_float(network, inputs)),
                             ("float32", row["float32_ratio"], lambda: run_float(network, inputs, precision="float32")),
                             ("fixed", row["fixed_ratio"], lambda: run_fixed(qnet, inputs))):
        if max(ratio, row[f"{mode}_ratio_vs_1thread"]) > 1.0:
            row[f"{mode}_profile"] = profile(run)
    return row, qnet, inputs


def deploy(name: str, qnet, inputs: np.ndarray, work: Path) -> dict:
    started = time.perf_counter()
    result = deploy_core(core_for_network(qnet), work / name, Ice40Options(), force=True)
    report = result.report.to_dict()
    used = {row["name"]: row["used"] for row in report["resources"]}
    fmax = next(iter(report["fmax_mhz"].values()))["achieved"]
    if result.manifest.get("core") == CONV_MODULE:  # activity-independent schedule: exact without events
        speed = conv_throughput(result.manifest, fmax)
    else:  # the event-driven core's cycles follow the spikes: count them on the benchmark's input
        fixed = run_fixed(qnet, inputs)
        events = {"input": inputs.sum(axis=2).astype(np.int64)}
        for pop in qnet.populations:
            if pop.spiking:
                events[pop.name] = fixed.outputs[pop.name].sum(axis=2)
        speed = throughput(CoreShape.from_network(qnet), fmax, qnet.dt, events).to_dict()
    return {
        "logic_cells": used["logic cells"], "lut4": used["LUT4"], "flip_flops": used["flip-flops"],
        "ebr": used["EBR"], "spram": used["SPRAM"], "dsp": used["DSP"], "io": used["IO"],
        "fmax_mhz": round(fmax, 2), "throughput": speed,
        "tools": report.get("tools"), "stage_seconds": report.get("stage_seconds"),
        "wall_seconds": round(time.perf_counter() - started, 1),
    }


def previous_deploy() -> tuple[dict, str]:
    """The deploy section of the existing results file and where it came from."""
    if not RESULT.is_file():
        return {}, "none: no previous results file"
    previous = json.loads(RESULT.read_text())
    return previous.get("deploy", {}), previous.get(
        "deploy_provenance", "carried over from the previous results file by a --no-deploy run (not re-measured)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 16])
    parser.add_argument("--no-deploy", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(2)
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    rows, deploys = [], {}
    with tempfile.TemporaryDirectory(prefix="nir_models_") as scratch:
        for name, (path, steps, rate) in MODELS.items():
            for batch in args.batches:
                row, qnet, inputs = timings(name, path, steps, rate, batch, args.repeats)
                rows.append(row)
                print(json.dumps({k: v for k, v in row.items() if not k.endswith("profile")}), flush=True)
            if not args.no_deploy:
                deploys[name] = deploy(name, qnet, inputs, Path(scratch))
                print(json.dumps({name: deploys[name]}), flush=True)
    if args.no_deploy:
        deploys, provenance = previous_deploy()
    else:
        provenance = "measured in this run"
    results = {
        "benchmark": "nir_models",
        "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
                   f"numpy {np.__version__}, torch {torch.__version__} ({torch.get_num_threads()} threads), "
                   f"snntorch {snn.__version__}",
        "input": f"Bernoulli spikes (sc_neurocore.sim.stimulus.poisson_spikes, seed {SEED}); rate per model in rows",
        "load_average_at_start": load_at_start,
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "timing": f"best of {args.repeats}; us per time step = run time / steps (whole batch); float = float64 "
                  "(the reference), float32 = run_float(precision='float32')",
        "peers": "see benchmarks/nir_models.py docstring",
        "rows": rows,
        "deploy": deploys,
        "deploy_provenance": provenance,
    }
    write_result(RESULT, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
