"""Float against fixed-point accuracy of a trained spiking transformer on a labelled test set."""

from __future__ import annotations

import numpy as np

from sc_neurocore.errors import InputError
from sc_neurocore.sim.twins.transformer import FixedTransformer

from .data import encode
from .modules.transformer import SpikingTransformer

__all__ = ["transformer_accuracy"]


def transformer_accuracy(model: SpikingTransformer, fixed: FixedTransformer, steps: int,
                         test_set: tuple[np.ndarray, np.ndarray]) -> dict:
    """Float and fixed-point (the engine's arithmetic) accuracy on ``(features, labels)``, direct encoding."""
    features, labels = (np.asarray(a) for a in test_set)
    if features.ndim != 2 or len(features) != len(labels) or len(labels) == 0:
        raise InputError(f"test_set: expected features (B, n) and labels (B,), got {features.shape} and {labels.shape}")
    x = encode(features.astype(np.float32), "direct", steps, np.random.default_rng(0))
    float_pred = model.forward(x).argmax(axis=1)
    fixed_pred = fixed.predict(x)
    float_acc, fixed_acc = float((float_pred == labels).mean()), float((fixed_pred == labels).mean())
    return {"samples": int(len(labels)), "arith": "fixed", "float": float_acc, "hardware": fixed_acc,
            "loss": float_acc - fixed_acc, "agreement": float((float_pred == fixed_pred).mean())}
