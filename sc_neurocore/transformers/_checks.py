"""Argument checks shared by the transformer blocks; every failure is an InputError naming the option."""

from __future__ import annotations

import numbers

import numpy as np

from sc_neurocore.errors import InputError

__all__ = ["positive_int", "positive_float", "heads_split", "real_array", "last_dim"]


def positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise InputError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def positive_float(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value) or value <= 0:
        raise InputError(f"{name} must be a positive finite number, got {value!r}")
    return float(value)


def heads_split(embed_dim: int, num_heads: int) -> int:
    """Head width; ``embed_dim`` must be a multiple of ``num_heads``."""
    if embed_dim % num_heads:
        raise InputError(
            f"embed_dim={embed_dim} is not divisible by num_heads={num_heads}: "
            f"choose num_heads among the divisors of {embed_dim}"
        )
    return embed_dim // num_heads


def real_array(name: str, value, ndims: tuple[int, ...]) -> np.ndarray:
    """A finite real array with one of the allowed numbers of dimensions."""
    array = np.asarray(value)
    if array.dtype == object or not (
        np.issubdtype(array.dtype, np.number) or array.dtype == bool
    ) or np.iscomplexobj(array):
        raise InputError(f"{name} must be a real numeric array, got dtype {array.dtype}")
    if array.ndim not in ndims:
        raise InputError(f"{name} must have {' or '.join(map(str, ndims))} dimensions, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise InputError(f"{name} contains NaN or infinite values")
    return array


def last_dim(name: str, array: np.ndarray, size: int) -> None:
    if array.shape[-1] != size:
        raise InputError(f"{name} has last dimension {array.shape[-1]}, expected {size}")
