"""Data sets and spike encodings.

Features are float32 in ``[0, 1]``, labels int64. Encoders turn ``(B, F)`` features into
``(T, B, F)`` inputs:

- rate: ``x[t] ~ Bernoulli(p)`` independently per step (seeded generator),
- latency: one spike at ``t = round((1 - p) (T - 1))`` for ``p > 0``, none for ``p = 0``,
- direct: ``x[t] = p`` at every step (the first layer acts as the encoder),
- sequential: the image's rows as time steps, ``(B, H*W) -> (H, B, W)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sc_neurocore.errors import InputError
from sc_neurocore.limits import load_arrays

__all__ = ["Dataset", "load_digits_split", "load_npz", "encode", "ENCODINGS", "batches", "shift_images"]

ENCODINGS = ("rate", "latency", "direct", "sequential")


@dataclass(frozen=True)
class Dataset:
    """A fixed train/test split; ``image_shape`` is set for images (rows x columns)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    n_classes: int
    image_shape: tuple[int, int] | None = None

    @property
    def n_features(self) -> int:
        return int(self.x_train.shape[1])


def _stratified_split(y: np.ndarray, test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    train, test = [], []
    for label in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == label))
        n_test = int(round(len(idx) * test_fraction))
        test.append(idx[:n_test])
        train.append(idx[n_test:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def load_digits_split(test_fraction: float = 0.3, seed: int = 0) -> Dataset:
    """scikit-learn's 8x8 digits (1797 images, pixels 0..16 scaled to [0, 1]), stratified split."""
    if not 0 < test_fraction < 1:
        raise InputError(f"data.test_fraction must be between 0 and 1, got {test_fraction}")
    try:
        from sklearn.datasets import load_digits
    except ImportError as error:
        raise InputError("the digits data set needs scikit-learn: pip install scikit-learn") from error
    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    train, test = _stratified_split(y, test_fraction, seed)
    return Dataset(x[train], y[train], x[test], y[test], 10, (8, 8))


def load_npz(path: Path, image_shape: tuple[int, int] | None = None) -> Dataset:
    """User data: an ``.npz`` with ``x_train, y_train, x_test, y_test``; features scaled to [0, 1]."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"data file {path} does not exist")
    wanted = ("x_train", "y_train", "x_test", "y_test")
    arrays = load_arrays(path, names=wanted)
    missing = [k for k in wanted if k not in arrays]
    if missing:
        raise InputError(f"{path}: missing arrays {missing} (need x_train, y_train, x_test, y_test)")
    for key in ("x_train", "x_test"):
        if arrays[key].ndim < 2 or len(arrays[key]) == 0 or not np.all(np.isfinite(arrays[key])):
            raise InputError(f"{path}: {key} must be a non-empty [samples, features...] array of finite numbers")
    for key in ("y_train", "y_test"):
        if arrays[key].ndim != 1 or arrays[key].dtype.kind not in "biu" or (arrays[key].size and arrays[key].min() < 0):
            raise InputError(f"{path}: {key} must be a 1-d array of non-negative integer labels")
    x_tr = arrays["x_train"].reshape(len(arrays["x_train"]), -1).astype(np.float32)
    x_te = arrays["x_test"].reshape(len(arrays["x_test"]), -1).astype(np.float32)
    if x_tr.shape[1] != x_te.shape[1]:
        raise InputError(f"{path}: x_train has {x_tr.shape[1]} features, x_test {x_te.shape[1]}")
    if len(x_tr) != len(arrays["y_train"]) or len(x_te) != len(arrays["y_test"]):
        raise InputError(f"{path}: x and y have different lengths")
    if x_tr.min() < 0 or x_tr.max() > 1 or x_te.min() < 0 or x_te.max() > 1:
        raise InputError(f"{path}: features must lie in [0, 1]")
    y_tr, y_te = arrays["y_train"].astype(np.int64), arrays["y_test"].astype(np.int64)
    if image_shape is not None and image_shape[0] * image_shape[1] != x_tr.shape[1]:
        raise InputError(f"{path}: image shape {image_shape} does not match {x_tr.shape[1]} features")
    n_classes = int(max(y_tr.max(), y_te.max())) + 1
    return Dataset(x_tr, y_tr, x_te, y_te, n_classes, image_shape)


def encode(x: np.ndarray, kind: str, steps: int, rng: np.random.Generator,
           image_shape: tuple[int, int] | None = None) -> np.ndarray:
    """Encode ``(B, F)`` features as ``(T, B, F)`` (or ``(rows, B, cols)`` for ``sequential``)."""
    if kind == "rate":
        return (rng.random((steps,) + x.shape, dtype=np.float32) < x).astype(np.float32)
    if kind == "latency":
        fire_at = np.round((1 - x) * (steps - 1)).astype(np.int64)
        out = (np.arange(steps)[:, None, None] == fire_at[None]) & (x[None] > 0)
        return out.astype(np.float32)
    if kind == "direct":
        return np.broadcast_to(x, (steps,) + x.shape).astype(np.float32)
    if kind == "sequential":
        if image_shape is None:
            raise InputError("the sequential encoding needs image data (rows x columns)")
        rows, cols = image_shape
        return np.ascontiguousarray(x.reshape(len(x), rows, cols).transpose(1, 0, 2))
    raise InputError(f"unknown encoding '{kind}': choose one of {', '.join(ENCODINGS)}")


def batches(n: int, batch_size: int, rng: np.random.Generator | None):
    """Index arrays covering ``range(n)``; shuffled when ``rng`` is given."""
    order = rng.permutation(n) if rng is not None else np.arange(n)
    for start in range(0, n, batch_size):
        yield order[start:start + batch_size]


def shift_images(x: np.ndarray, image_shape: tuple[int, int], rng: np.random.Generator,
                 max_shift: int = 1) -> np.ndarray:
    """Augmentation: move each image by up to ``max_shift`` pixels per axis, filling with 0."""
    rows, cols = image_shape
    img = x.reshape(len(x), rows, cols)
    pad = np.pad(img, ((0, 0), (max_shift, max_shift), (max_shift, max_shift)))
    dy, dx = rng.integers(0, 2 * max_shift + 1, (2, len(x)))
    r = np.arange(rows)[None, :, None] + dy[:, None, None]
    c = np.arange(cols)[None, None, :] + dx[:, None, None]
    return pad[np.arange(len(x))[:, None, None], r, c].reshape(len(x), -1)
