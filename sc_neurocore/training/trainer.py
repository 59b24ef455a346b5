"""Mini-batch training and evaluation of any classifier module.

A classifier maps encoded input ``(T, B, ...)`` to logits ``(B, classes)``; the loss is cross-entropy
on those logits. Shuffling and rate encoding draw from one seeded generator, so a run is reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .data import Dataset, batches, encode, shift_images
from .losses import cross_entropy
from .modules.module import Module

__all__ = ["EpochResult", "train_epoch", "evaluate", "predict", "cosine_lr", "fit"]


@dataclass(frozen=True)
class EpochResult:
    """Mean training loss and accuracy over one epoch."""

    loss: float
    accuracy: float


def train_epoch(model: Module, optimiser, data: Dataset, encoding: str, steps: int, batch_size: int,
                rng: np.random.Generator, on_batch: Callable[[int, int], None] | None = None,
                augment: bool = False) -> EpochResult:
    """One pass over the training split; ``on_batch(done, total)`` reports progress.

    ``augment`` shifts each image by up to one pixel (image data only).
    """
    n = len(data.x_train)
    total_loss, correct, done = 0.0, 0, 0
    for idx in batches(n, batch_size, rng):
        features = data.x_train[idx]
        if augment and data.image_shape is not None:
            features = shift_images(features, data.image_shape, rng)
        x = encode(features, encoding, steps, rng, data.image_shape)
        y = data.y_train[idx]
        model.zero_grad()
        logits = model.forward(x)
        loss, grad = cross_entropy(logits, y)
        model.backward(grad)
        optimiser.step()
        total_loss += loss * len(idx)
        correct += int((logits.argmax(axis=1) == y).sum())
        done += len(idx)
        if on_batch is not None:
            on_batch(done, n)
    return EpochResult(total_loss / n, correct / n)


def predict(model: Module, x: np.ndarray, encoding: str, steps: int, rng: np.random.Generator,
            image_shape: tuple[int, int] | None = None, batch_size: int = 256) -> np.ndarray:
    """Predicted classes for features ``x`` (B, F)."""
    out = []
    for idx in batches(len(x), batch_size, None):
        out.append(model.forward(encode(x[idx], encoding, steps, rng, image_shape)).argmax(axis=1))
    return np.concatenate(out)


def evaluate(model: Module, data: Dataset, encoding: str, steps: int, seed: int = 0) -> float:
    """Test-split accuracy; rate encoding uses a generator seeded with ``seed``."""
    rng = np.random.default_rng(seed)
    pred = predict(model, data.x_test, encoding, steps, rng, data.image_shape)
    return float((pred == data.y_test).mean())


def cosine_lr(base: float, epoch: int, epochs: int) -> float:
    """Cosine decay ``lr = base (1 + cos(pi epoch / epochs)) / 2``."""
    return base * (1 + np.cos(np.pi * epoch / epochs)) / 2


def fit(model: Module, optimiser, data: Dataset, *, encoding: str, steps: int, epochs: int, batch_size: int,
        seed: int, augment: bool = False, schedule: str = "cosine", start_epoch: int = 0,
        rng: np.random.Generator | None = None,
        on_epoch: Callable[[int, dict], None] | None = None,
        on_batch: Callable[[int, int], None] | None = None) -> list[dict]:
    """Train for ``epochs`` (from ``start_epoch``); returns one record per epoch.

    Each record: ``epoch, lr, loss, train_accuracy, test_accuracy, seconds``. ``on_epoch(epoch, record)``
    runs after each epoch (checkpoints, progress). The learning rate follows ``schedule``
    (``cosine`` or ``constant``) from the optimiser's initial ``lr``.
    """
    import time

    rng = rng if rng is not None else np.random.default_rng(seed)
    base_lr = optimiser.lr
    history = []
    for epoch in range(start_epoch, epochs):
        optimiser.lr = cosine_lr(base_lr, epoch, epochs) if schedule == "cosine" else base_lr
        start = time.perf_counter()
        result = train_epoch(model, optimiser, data, encoding, steps, batch_size, rng, on_batch, augment)
        record = {"epoch": epoch + 1, "lr": optimiser.lr, "loss": result.loss, "train_accuracy": result.accuracy,
                  "test_accuracy": evaluate(model, data, encoding, steps, seed),
                  "seconds": time.perf_counter() - start}
        history.append(record)
        if on_epoch is not None:
            on_epoch(epoch, record)
    optimiser.lr = base_lr
    return history
