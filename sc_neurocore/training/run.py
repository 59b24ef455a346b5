"""Run a validated training configuration: data -> model -> fit -> checkpoint -> outputs.

Outputs in ``cfg["output"]``: ``checkpoint.npz`` (after every epoch; parameters, optimiser state,
generator state, history), ``metrics.json``, ``curve.png`` (or ``curve.csv`` without matplotlib)
and ``model.nir`` for the MLP and the transformer (the latter with our extension ops). An MLP trained
on spike input (``rate`` or ``latency`` encoding) also gets ``test_set.npz``: the test split as
``input`` [T, B, n] uint8 spikes (encoded exactly as for ``fixed_test_accuracy``) and ``labels`` [B],
the labelled workload ``sc-neurocore report --input`` reads. A ``direct`` MLP gets none: its analog input
cannot reach the hardware's spike port. A ``direct`` transformer gets ``test_set.npz`` as ``input`` [B, n]
features and ``labels``: its engine takes pixels, and ``metrics.json`` has its ``fixed_test_accuracy``.
Everything is written atomically.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from sc_neurocore.atomic import atomic_write, lock_directory, output_error
from sc_neurocore.errors import InputError
from sc_neurocore.sim.twins.mlp import FixedMLP
from sc_neurocore.sim.twins.quant import QuantSpec
from sc_neurocore.sim.twins.transformer import FixedTransformer

from .accuracy import transformer_accuracy
from .checkpoint import load_checkpoint_state, read_checkpoint_meta
from .data import Dataset, encode, load_digits_split, load_npz
from .modules.mlp import SpikingMLPClassifier
from .modules.module import Module
from .optim import SGD, Adam
from .modules.ssm import SSMClassifier
from .modules.surrogate import SURROGATES
from .export import write_nir, write_transformer_nir
from .trainer import evaluate, fit
from .modules.transformer import SpikingTransformer

__all__ = ["TEST_SET", "SPIKE_ENCODINGS", "TrainResult", "build_model", "load_data", "run_training",
           "write_test_set", "write_features"]

TEST_SET = "test_set.npz"
SPIKE_ENCODINGS = ("rate", "latency")  # encodings whose input is spikes, as the hardware input port carries


@dataclass(frozen=True)
class TrainResult:
    """What a training run produced: its metrics and the files it wrote."""

    metrics: dict
    files: dict[str, str]


def load_data(cfg: dict) -> Dataset:
    data = cfg["data"]
    if data["source"] == "digits":
        return load_digits_split(data["test_fraction"], data["split_seed"])
    shape = tuple(data["image_shape"]) if data["image_shape"] else None
    return load_npz(Path(data["source"]), shape)


def build_model(cfg: dict, data: Dataset) -> Module:
    """The model a configuration describes; its input size must fit the data."""
    m, seed = cfg["model"], cfg["seed"]
    surrogate = SURROGATES[m["surrogate"]]()
    if m["type"] == "mlp":
        if m["sizes"][0] != data.n_features or m["sizes"][-1] != data.n_classes:
            raise InputError(f"config key 'model.sizes': {m['sizes']} does not fit the data "
                             f"({data.n_features} features, {data.n_classes} classes)")
        return SpikingMLPClassifier(m["sizes"], tau=m["tau"], dt=m["dt"], threshold=m["threshold"],
                          learn_threshold=m["learn_threshold"], learn_tau=m["learn_tau"], readout=m["readout"],
                          surrogate=surrogate, seed=seed)
    if data.image_shape is None:
        raise InputError(f"config key 'model.type': '{m['type']}' needs image data (set data.image_shape)")
    rows, cols = data.image_shape
    tau = m["tau"] / m["dt"]  # these models count time in steps (dt = 1)
    if m["type"] == "transformer":
        return SpikingTransformer(rows, cols, data.n_classes, dim=m["dim"], heads=m["heads"], depth=m["depth"],
                                  mlp_ratio=m["mlp_ratio"], tau=tau, learn_threshold=m["learn_threshold"],
                                  surrogate=surrogate, seed=seed, attention=m["attention"])
    return SSMClassifier(cols, data.n_classes, d_model=m["d_model"], d_state=m["d_state"], depth=m["depth"],
                         tau=tau, surrogate=surrogate, seed=seed)


def _optimiser(cfg: dict, model: Module, lr: float | None = None):
    o = cfg["optimiser"]
    if o["name"] == "sgd":
        return SGD(model.parameters(), lr=lr or o["lr"], momentum=o["momentum"], weight_decay=o["weight_decay"])
    return Adam(model.parameters(), lr=lr or o["lr"], weight_decay=o["weight_decay"])


def _save_checkpoint(path: Path, model: Module, opt, rng: np.random.Generator, history: list, phase: str) -> None:
    arrays = {f"param/{k}": v for k, v in model.state_dict().items()}
    arrays.update({f"optim/{k}": np.asarray(v) for k, v in opt.state().items()})
    arrays["meta"] = np.array(json.dumps({"history": history, "phase": phase, "rng": rng.bit_generator.state}))

    def write(tmp: str) -> None:
        with open(tmp, "wb") as handle:
            np.savez(handle, **arrays)

    atomic_write(path, write)


def _read_meta(path: Path) -> dict:
    if not path.is_file():
        raise InputError(f"--resume: no checkpoint at {path}")
    return read_checkpoint_meta(path)


def _load_checkpoint(path: Path, model: Module, opt) -> None:
    load_checkpoint_state(path, model, opt)


def _write_curve(out: Path, history: list) -> Path:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        path = out / "curve.csv"
        lines = ["epoch,loss,train_accuracy,test_accuracy"] + [
            f"{r['epoch']},{r['loss']:.6f},{r['train_accuracy']:.6f},{r['test_accuracy']:.6f}" for r in history]
        atomic_write(path, lambda tmp: Path(tmp).write_text("\n".join(lines) + "\n"))
        return path
    path = out / "curve.png"
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5))
    epochs = [r["epoch"] for r in history]
    ax1.plot(epochs, [r["loss"] for r in history])
    ax1.set(xlabel="epoch", ylabel="training loss", yscale="log")
    ax2.plot(epochs, [r["train_accuracy"] for r in history], label="train")
    ax2.plot(epochs, [r["test_accuracy"] for r in history], label="test")
    ax2.set(xlabel="epoch", ylabel="accuracy")
    ax2.legend()
    fig.tight_layout()
    atomic_write(path, lambda tmp: fig.savefig(tmp, format="png", dpi=100))
    plt.close(fig)
    return path


def run_training(cfg: dict, *, resume: bool = False,
                 on_epoch: Callable[[int, int, dict], None] | None = None,
                 on_batch: Callable[[int, int], None] | None = None) -> TrainResult:
    """Train as configured; ``on_epoch(epoch, total, record)`` after each epoch (all phases)."""
    out = Path(cfg["output"])
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise output_error(out, error) from None
    lock_directory(out)  # one training run per output folder
    data = load_data(cfg)
    model = build_model(cfg, data)
    q = cfg["quantisation"]
    enc, steps = cfg["encoding"]["kind"], cfg["encoding"]["steps"]
    input_frac = q["input_frac_bits"] if enc == "direct" else None
    spec = QuantSpec(weight_bits=q["weight_bits"], state_bits=q["state_bits"])
    phases = [("float", cfg["epochs"], cfg["optimiser"]["lr"])]
    if q["enabled"]:
        phases.append(("qat", q["epochs"], q["lr"]))
    total = sum(n for _, n, _ in phases)
    names = [name for name, _, _ in phases]
    ckpt = out / "checkpoint.npz"
    rng = np.random.default_rng(cfg["seed"])
    history: list[dict] = []
    ckpt_phase = None
    if resume:
        meta = _read_meta(ckpt)
        history, ckpt_phase = meta["history"], meta["phase"]
        rng.bit_generator.state = meta["rng"]
        if ckpt_phase not in names:
            raise InputError(f"--resume: the checkpoint is from phase '{ckpt_phase}', which this config lacks")
    started = time.perf_counter()
    for index, (phase, epochs, lr) in enumerate(phases):
        if ckpt_phase is not None and names.index(ckpt_phase) > index:
            continue  # finished before the checkpoint; its parameters come with the later phase
        if phase == "qat":
            model.set_quant(spec, input_frac)
        opt = _optimiser(cfg, model, lr)
        if ckpt_phase == phase:
            _load_checkpoint(ckpt, model, opt)
        offset = sum(n for _, n, _ in phases[:index])

        def epoch_done(epoch: int, record: dict, phase=phase, offset=offset, opt=opt) -> None:
            record["phase"] = phase
            history.append(record)
            _save_checkpoint(ckpt, model, opt, rng, history, phase)
            if on_epoch is not None:
                on_epoch(offset + epoch + 1, total, record)

        fit(model, opt, data, encoding=enc, steps=steps, epochs=epochs, batch_size=cfg["batch_size"],
            seed=cfg["seed"], augment=cfg["data"]["augment"], schedule=cfg["optimiser"]["schedule"],
            start_epoch=sum(1 for r in history if r["phase"] == phase), rng=rng, on_epoch=epoch_done,
            on_batch=on_batch)
    metrics = _final_metrics(cfg, model, data, history, spec, input_frac)
    metrics["seconds"] = time.perf_counter() - started
    files = {"checkpoint": str(ckpt), "curve": str(_write_curve(out, history))}
    if isinstance(model, SpikingMLPClassifier):
        files["nir"] = str(write_nir(model, out / "model.nir", {
            "test_accuracy": metrics["test_accuracy"], "encoding": enc, "steps": steps}))
        if enc in SPIKE_ENCODINGS:
            files["test_set"] = str(write_test_set(out / TEST_SET, data, enc, steps, cfg["seed"]))
    elif isinstance(model, SpikingTransformer):
        files["nir"] = str(write_transformer_nir(model, out / "model.nir", {
            "test_accuracy": metrics["test_accuracy"], "encoding": enc, "steps": steps}))
        if enc == "direct":  # the engine takes pixels: the test split as features
            files["test_set"] = str(write_features(out / TEST_SET, data))
    metrics["history"] = history
    metrics_path = out / "metrics.json"
    atomic_write(metrics_path, lambda tmp: Path(tmp).write_text(json.dumps(metrics, indent=2) + "\n"))
    files["metrics"] = str(metrics_path)
    return TrainResult(metrics, files)


def _test_set_inputs(data: Dataset, encoding: str, steps: int, seed: int) -> np.ndarray:
    """The test split encoded as ``_final_metrics`` encodes it for the fixed-point accuracy."""
    return encode(data.x_test, encoding, steps, np.random.default_rng(seed), data.image_shape)


def write_test_set(path: Path, data: Dataset, encoding: str, steps: int, seed: int) -> Path:
    """``input`` [T, B, n] spikes (uint8) and ``labels`` [B]: a labelled workload for ``report --input``."""
    spikes = _test_set_inputs(data, encoding, steps, seed).astype(np.uint8)

    def write(tmp: str) -> None:
        with open(tmp, "wb") as handle:
            np.savez_compressed(handle, input=spikes, labels=data.y_test.astype(np.int64))

    atomic_write(path, write)
    return path


def write_features(path: Path, data: Dataset) -> Path:
    """``input`` [B, n] features in [0, 1] and ``labels`` [B]: the transformer's test split for
    ``report --input`` (it encodes the features itself, one current per pixel and time step)."""

    def write(tmp: str) -> None:
        with open(tmp, "wb") as handle:
            np.savez_compressed(handle, input=data.x_test.astype(np.float32), labels=data.y_test.astype(np.int64))

    atomic_write(path, write)
    return path


def _final_metrics(cfg, model, data, history, spec, input_frac) -> dict:
    enc, steps, seed = cfg["encoding"]["kind"], cfg["encoding"]["steps"], cfg["seed"]
    metrics = {"model": cfg["model"]["type"], "encoding": enc, "steps": steps, "epochs": len(history),
               "test_accuracy": evaluate(model, data, enc, steps, seed),
               "train_accuracy": history[-1]["train_accuracy"] if history else None}
    float_records = [r for r in history if r["phase"] == "float"]
    if cfg["quantisation"]["enabled"] and float_records:
        metrics["float_test_accuracy"] = float_records[-1]["test_accuracy"]
    if isinstance(model, SpikingMLPClassifier):
        fixed = FixedMLP.from_model(model, spec, input_frac)
        x = _test_set_inputs(data, enc, steps, seed)
        metrics["fixed_test_accuracy"] = float((fixed.predict(x) == data.y_test).mean())
        metrics["fixed_frac_bits"] = [layer.frac_bits for layer in fixed.layers]
    elif isinstance(model, SpikingTransformer) and enc == "direct" and model.attention_kind == "ssa":
        accuracy = transformer_accuracy(model, FixedTransformer.from_model(model, spec), steps,
                                        (data.x_test, data.y_test))
        metrics["fixed_test_accuracy"] = accuracy["hardware"]
    return metrics
