"""Input for simulations: arrays from .npy/.npz files or seeded Poisson spike trains."""

from pathlib import Path

import numpy as np

from sc_neurocore.errors import InputError
from sc_neurocore.limits import check_count, check_elements, load_array

__all__ = ["load_input", "poisson_spikes"]


def poisson_spikes(steps: int, size: int, rate: float, seed: int, batch: int = 1) -> np.ndarray:
    """Bernoulli spikes with probability `rate` per step, shaped [T, B, size]."""
    if not 0.0 <= rate <= 1.0:
        raise InputError(f"--rate is a spike probability per step and must lie in [0, 1], got {rate}")
    if steps <= 0:
        raise InputError(f"--steps must be positive, got {steps}")
    check_count("--steps", steps, "steps")
    check_count("--batch", batch, "batch")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"--seed must be a non-negative integer, got {seed}")
    check_elements("the generated input", (steps, batch, size))
    rng = np.random.default_rng(seed)
    return (rng.random((steps, batch, size)) < rate).astype(np.float64)


def load_input(path, size: int, steps: int | None = None) -> np.ndarray:
    """Load [T, n] or [T, B, n] input (the .npz's only array, or the one named 'input'), cut to `steps`."""
    path = Path(path)
    if steps is not None:
        check_count("--steps", steps, "steps")
    array = np.asarray(load_array(path, "input"), dtype=np.float64)
    if not np.all(np.isfinite(array)):
        raise InputError(f"{path}: holds NaN or infinite values")
    if array.ndim == 2:
        array = array[:, None, :]
    if array.ndim != 3 or array.shape[-1] != size:
        raise InputError(f"{path}: input must be shaped [T, {size}] or [T, B, {size}], got {list(array.shape)}")
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise InputError(f"{path}: input holds no time steps or no samples (shape {list(array.shape)})")
    if steps is not None:
        if steps > array.shape[0]:
            raise InputError(f"{path}: --steps {steps} exceeds the {array.shape[0]} steps in the file")
        array = array[:steps]
    return array
