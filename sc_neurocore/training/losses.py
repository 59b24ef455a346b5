"""Losses returning ``(loss, dL/dprediction)``, averaged over the batch."""

from __future__ import annotations

import numpy as np

__all__ = ["cross_entropy", "mse"]


def cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """``L = -(1/B) sum_b log softmax(z_b)[y_b]``; ``dL/dz = (softmax(z) - onehot(y)) / B``.

    ``logits`` are spike counts or a membrane readout, shape ``(B, classes)``.
    """
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    p = e / e.sum(axis=1, keepdims=True)
    rows = np.arange(len(labels))
    loss = float(-np.mean(np.log(p[rows, labels] + 1e-12)))
    grad = p
    grad[rows, labels] -= 1
    return loss, (grad / len(labels)).astype(logits.dtype)


def mse(prediction: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
    """``L = (1/B) sum_b ||x_b - y_b||^2 / n``; ``dL/dx = 2 (x - y) / (B n)``."""
    diff = prediction - target
    n = diff.size
    return float(np.sum(diff * diff) / n), (2 * diff / n).astype(prediction.dtype)
