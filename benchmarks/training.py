"""Training benchmarks, written to benchmarks/results/training.json.

1. Step time (forward + BPTT + Adam) of an LIF MLP 64-128-10, T = 8, batch 64, against snnTorch 1.0.0
   on torch CPU with 2 threads, same configuration, measured in this run (target: ratio <= 1.0).
2. Accuracy runs on the digits test split (fixed split and seed), through the same code path as
   `sc-neurocore train`: spiking transformer (target >= 97 % in < 10 min), SpikyStateSpace on
   sequential digits (target >= 90 %), MLP with quantisation-aware training and its fixed-point
   twin (target: within 1 point of float).
3. The transformers of examples/train_transformer.yaml (dim 96, the accuracy model) and
   examples/train_transformer_fpga.yaml (dim 32) trained, quantised (FixedTransformer) and deployed on a
   UP5K: float and fixed accuracy (target: within 1 point), resources, Fmax, cycles.

Usage: python benchmarks/training.py [--steps 300] [--skip-accuracy] [--skip-deploy]
"""

import argparse
import copy
import json
import os
import platform
import tempfile
from pathlib import Path

import numpy as np

from result_file import write_result
from timing import median_time

from sc_neurocore.training import Adam, SpikingMLPClassifier, cross_entropy
from sc_neurocore.training.config import validate_config
from sc_neurocore.training.run import run_training

REPO = Path(__file__).resolve().parent.parent
RESULT = REPO / "benchmarks" / "results" / "training.json"
T, BATCH, SIZES = 8, 64, [64, 128, 10]


def _median_step(step, steps: int) -> float:
    return median_time(step, steps, warmup=20)


def ours_step_time(x: np.ndarray, y: np.ndarray, steps: int) -> float:
    model = SpikingMLPClassifier(SIZES, tau=2.0, dt=1.0, seed=0)
    opt = Adam(model.parameters(), lr=1e-3)

    def step():
        model.zero_grad()
        _, grad = cross_entropy(model.forward(x), y)
        model.backward(grad)
        opt.step()

    return _median_step(step, steps)


def snntorch_step_time(x: np.ndarray, y: np.ndarray, steps: int) -> dict:
    import snntorch as snn
    import torch
    from snntorch import surrogate

    torch.set_num_threads(2)
    torch.manual_seed(0)
    fc1, fc2 = torch.nn.Linear(64, 128), torch.nn.Linear(128, 10)
    # beta = 1 - dt/tau = 0.5, reset to zero, arctan surrogate: the same neuron as ours
    lif1 = snn.Leaky(beta=0.5, spike_grad=surrogate.atan(alpha=2.0), reset_mechanism="zero")
    lif2 = snn.Leaky(beta=0.5, spike_grad=surrogate.atan(alpha=2.0), reset_mechanism="zero")
    params = list(fc1.parameters()) + list(fc2.parameters())
    opt = torch.optim.Adam(params, lr=1e-3)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def step():
        m1, m2 = lif1.init_leaky(), lif2.init_leaky()
        counts = 0
        for t in range(T):
            s1, m1 = lif1(fc1(xt[t]), m1)
            s2, m2 = lif2(fc2(s1), m2)
            counts = counts + s2
        loss = torch.nn.functional.cross_entropy(counts, yt)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return {"seconds": _median_step(step, steps), "torch": torch.__version__, "snntorch": snn.__version__,
            "threads": torch.get_num_threads()}


def step_time(steps: int) -> dict:
    rng = np.random.default_rng(0)
    x = (rng.random((T, BATCH, 64)) < 0.3).astype(np.float32)
    y = rng.integers(0, 10, BATCH)
    ours = ours_step_time(x, y, steps)
    peer = snntorch_step_time(x, y, steps)
    return {"config": {"sizes": SIZES, "steps": T, "batch": BATCH, "neuron": "LIF beta=0.5, reset to zero, atan"},
            "ours_ms": 1e3 * ours, "snntorch_ms": 1e3 * peer["seconds"], "ratio": ours / peer["seconds"],
            "target_ratio": 1.0, "peer": {k: v for k, v in peer.items() if k != "seconds"}}


CONFIGS = {
    "transformer": {"model": {"type": "transformer", "dim": 96, "heads": 4, "depth": 1},
                    "encoding": {"kind": "direct", "steps": 4}, "epochs": 40,
                    "optimiser": {"lr": 0.002, "weight_decay": 0.05}},
    "ssm": {"model": {"type": "ssm", "d_model": 128, "d_state": 128, "depth": 1},
            "encoding": {"kind": "sequential", "steps": 8}, "epochs": 100, "optimiser": {"lr": 0.003}},
    "mlp_qat": {"model": {"type": "mlp", "sizes": [64, 128, 10], "learn_threshold": True},
                "encoding": {"kind": "direct", "steps": 8}, "epochs": 30,
                "quantisation": {"enabled": True, "epochs": 5}},
}
TARGETS = {"transformer": 0.97, "ssm": 0.90}


def accuracy_runs() -> dict:
    results = {}
    with tempfile.TemporaryDirectory(prefix="sc_train_bench_") as scratch:
        for name, raw in CONFIGS.items():
            raw = copy.deepcopy(raw)
            raw.update(seed=0, output=str(Path(scratch) / name))
            cfg = validate_config(raw)
            metrics = run_training(cfg).metrics
            entry = {k: v for k, v in metrics.items() if k != "history"}
            entry["config"] = raw
            if name in TARGETS:
                entry["target_accuracy"] = TARGETS[name]
                entry["meets_target"] = metrics["test_accuracy"] >= TARGETS[name]
            if name == "transformer":
                entry["meets_time_target"] = metrics["seconds"] < 600
            if name == "mlp_qat":
                entry["fixed_minus_float_points"] = 100 * (metrics["fixed_test_accuracy"]
                                                           - metrics["float_test_accuracy"])
                entry["meets_target"] = abs(entry["fixed_minus_float_points"]) <= 1.0
            results[name] = entry
    return results


DEPLOYED_TRANSFORMERS = ("train_transformer.yaml", "train_transformer_fpga.yaml")


def transformer_deploy_run(config: str) -> dict:
    """Train examples/`config`, deploy it on a UP5K; accuracy beside the resources."""
    from sc_neurocore.backends.cores.transformer.core import TransformerCore
    from sc_neurocore.backends.deploy import deploy_core
    from sc_neurocore.training.config import load_config
    from sc_neurocore.training.run import build_model, load_data

    with tempfile.TemporaryDirectory(prefix="sc_tfm_deploy_") as scratch:
        cfg = load_config(REPO / "examples" / config)
        cfg["output"] = str(Path(scratch) / "train")
        seconds = run_training(cfg).metrics["seconds"]
        data = load_data(cfg)
        model = build_model(cfg, data)
        with np.load(Path(cfg["output"]) / "checkpoint.npz") as archive:
            model.load_state_dict({k[6:]: archive[k] for k in archive.files if k.startswith("param/")})
        core = TransformerCore.from_model(model, cfg["encoding"]["steps"], test_set=(data.x_test, data.y_test))
        result = deploy_core(core, Path(scratch) / "build")
    report = result.report
    accuracy = result.manifest["accuracy"]
    return {"config": f"examples/{config}", "train_seconds": seconds,
            "float_accuracy": accuracy["float"], "fixed_accuracy": accuracy["hardware"],
            "agreement": accuracy["agreement"], "meets_target": abs(accuracy["loss"]) <= 0.01,
            "resources": {row.name: row.used for row in report.resources},
            "fmax_mhz": {clock: achieved for clock, (achieved, _) in report.fmax_mhz.items()},
            "cycles_per_inference": result.manifest["cycles_per_inference"],
            "weight_load_cycles": result.manifest["weight_load_cycles"],
            "tools": [list(tool) for tool in report.tools], "stage_seconds": report.stage_seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--skip-accuracy", action="store_true")
    parser.add_argument("--skip-deploy", action="store_true", help="skip the transformer's UP5K build")
    args = parser.parse_args()
    result = {"machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                          "python": platform.python_version(), "numpy": np.__version__},
              "step_time": step_time(args.steps)}
    if not args.skip_accuracy:
        result["accuracy"] = accuracy_runs()
    if not args.skip_deploy:
        result["transformer_deploy"] = [transformer_deploy_run(config) for config in DEPLOYED_TRANSFORMERS]
    write_result(RESULT, result)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
