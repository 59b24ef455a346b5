"""Accuracy on a labelled data set: the float reference against the build's own (hardware) arithmetic,
the fixed-point executor or, for an `--arith sc` build, the SC executor.

A sample's prediction is the output neuron with the largest output summed over time: spike counts
for a spiking output, the summed membrane for a non-spiking readout.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sc_neurocore.errors import InputError
from sc_neurocore.sim.stimulus import load_input

__all__ = ["Accuracy", "Workload", "load_workload", "predictions", "measure_accuracy"]


@dataclass(frozen=True)
class Accuracy:
    samples: int
    float_accuracy: float
    hardware_accuracy: float  # by the build's arithmetic
    agreement: float  # fraction of samples where both executors predict the same class
    arith: str = "fixed"  # "fixed" or "sc"

    @property
    def loss(self) -> float:
        """Accuracy lost to the hardware arithmetic (negative: it happened to do better than float)."""
        return self.float_accuracy - self.hardware_accuracy

    def to_dict(self) -> dict:
        return {"samples": self.samples, "arith": self.arith, "float": self.float_accuracy,
                "hardware": self.hardware_accuracy, "loss": self.loss, "agreement": self.agreement}


@dataclass(frozen=True)
class Workload:
    """Input spikes [T, B, n] for the simulation, labels [B] when the data set has them."""

    inputs: np.ndarray
    labels: np.ndarray | None
    source: str  # where the input came from, for the report


def _labelled(path: Path, data, size: int, steps: int, seed: int) -> Workload:
    array, labels = np.asarray(data["input"], dtype=np.float64), np.asarray(data["labels"])
    if labels.ndim != 1 or labels.size == 0 or not np.issubdtype(labels.dtype, np.integer):
        raise InputError(
            f"{path}: 'labels' must be a 1-D array of class indices, got {labels.dtype} {list(labels.shape)}"
        )
    if array.ndim == 2:
        # static samples [B, n] in [0, 1] become Bernoulli spike trains of `steps` steps (rate coding)
        if array.shape[-1] != size:
            raise InputError(f"{path}: 'input' must be shaped [T, B, {size}] or [B, {size}], got {list(array.shape)}")
        if np.any((array < 0) | (array > 1)):
            raise InputError(f"{path}: a [B, {size}] input holds spike probabilities in [0, 1]")
        rng = np.random.default_rng(seed)
        array = (rng.random((steps, *array.shape)) < array[None]).astype(np.float64)
        source = f"{path} ({len(labels)} samples rate-coded over {steps} steps, seed {seed})"
    elif array.ndim == 3 and array.shape[-1] == size:
        source = f"{path} ({len(labels)} samples of {array.shape[0]} steps)"
    else:
        raise InputError(f"{path}: 'input' must be shaped [T, B, {size}] or [B, {size}], got {list(array.shape)}")
    if array.shape[1] != len(labels):
        raise InputError(f"{path}: {array.shape[1]} input samples but {len(labels)} labels")
    return Workload(array, labels.astype(np.int64), source)


def load_workload(path, size: int, steps: int, seed: int) -> Workload:
    """An input file: a labelled .npz (`input` and `labels`), or spikes as `simulate --input` takes them."""
    path = Path(path)
    if path.suffix == ".npz" and path.is_file():
        try:
            with np.load(path, allow_pickle=False) as data:
                if "labels" in data.files:
                    if "input" not in data.files:
                        raise InputError(f"{path}: a labelled data set needs an array named 'input' beside 'labels'")
                    return _labelled(path, data, size, steps, seed)
        except (ValueError, OSError) as error:
            raise InputError(f"{path}: not a readable .npz file ({error})") from None
    inputs = load_input(path, size)
    return Workload(inputs, None, f"{path} ({inputs.shape[1]} x {inputs.shape[0]} steps)")


def predictions(outputs: np.ndarray) -> np.ndarray:
    """Class per sample from outputs [T, B, n]."""
    return np.asarray(outputs).sum(axis=0).argmax(axis=-1)


def measure_accuracy(float_outputs: np.ndarray, fixed_outputs: np.ndarray, labels: np.ndarray,
                     arith: str = "fixed") -> Accuracy:
    """`fixed_outputs`: the hardware arithmetic's outputs, named by `arith`."""
    n_classes = np.asarray(float_outputs).shape[-1]
    if labels.min(initial=0) < 0 or labels.max(initial=0) >= n_classes:
        raise InputError(f"labels must be class indices 0..{n_classes - 1} of the network's output")
    by_float, by_fixed = predictions(float_outputs), predictions(fixed_outputs)
    return Accuracy(len(labels), float(np.mean(by_float == labels)), float(np.mean(by_fixed == labels)),
                    float(np.mean(by_float == by_fixed)), arith)
