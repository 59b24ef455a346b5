"""Integer reference of the cost baseline `hdl/attention/attn_mac_core.sv`: 8-bit dot-product attention with a
power-of-two softmax, exactly as the RTL computes it.

Per head ``h`` and query ``i`` (q, k, v signed 8-bit, shape ``[H, N, DH]``)::

    s_j   = sum_c q[i, c] k[j, c]                 exact (the score register cannot overflow)
    gap_j = (max_j s_j - s_j) >> SH               floor; SH = 4 score bits dropped
    e_j   = 128 >> gap_j if gap_j <= 7 else 0     a power-of-two exp, 2^7 = weight of the best key
    E     = sum_j e_j = f 2^n, f in [1, 2)
    r     = n + (1 if f >= 1.5 else 0)            2^r: the power of two nearest E
    y[c]  = (sum_j e_j v[j, c]) >> r              arithmetic shift (floor)

So ``e_j / 128`` approximates ``exp(-(m - s_j) ln2 / 2^SH)``: the float model it approximates is softmax
attention on the same integers at inverse temperature ``ln2 / 2^SH`` (:func:`float_softmax_attention`).
Dividing by ``2^r`` instead of ``E`` scales each query's output by ``E / 2^r``, in [0.75, 1.5): with the
exponent's halving steps, the approximation's error (see :func:`approximation_error`).
"""

from __future__ import annotations

import numpy as np

from sc_neurocore.errors import InputError

__all__ = [
    "SCORE_SHIFT", "WEIGHT_ONE", "power_of_two_weights", "mac_softmax_attention", "float_softmax_attention",
    "approximation_error", "seeded_qkv",
]

SCORE_SHIFT = 4   # the RTL's SH: score bits dropped before the exponent
WEIGHT_ONE = 128  # 2^7: the best key's weight; weights below 2^0 are dropped (gap > 7)


def _check_int8(name: str, a: np.ndarray) -> np.ndarray:
    a = np.asarray(a)
    if a.ndim != 3 or not np.issubdtype(a.dtype, np.integer):
        raise InputError(f"{name} must be an integer array [heads, tokens, head_dim], got {a.dtype} {a.shape}")
    if a.size and (a.min() < -128 or a.max() > 127):
        raise InputError(f"{name} must hold signed 8-bit values (-128..127), got {a.min()}..{a.max()}")
    return a.astype(np.int64)


def _scores(q: np.ndarray, k: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    q, k, v = (_check_int8(name, a) for name, a in (("q", q), ("k", k), ("v", v)))
    if not q.shape == k.shape == v.shape:
        raise InputError(
            f"q, k and v must have one shape [heads, tokens, head_dim], got {q.shape}, {k.shape}, {v.shape}"
        )
    return np.einsum("hic,hjc->hij", q, k), v


def power_of_two_weights(scores: np.ndarray, score_shift: int = SCORE_SHIFT) -> np.ndarray:
    """The RTL's softmax numerators ``e_j`` for integer scores ``[..., N]`` (keys on the last axis)."""
    gap = (scores.max(axis=-1, keepdims=True) - scores) >> score_shift
    return np.where(gap > 7, 0, WEIGHT_ONE >> np.minimum(gap, 7))


def mac_softmax_attention(q: np.ndarray, k: np.ndarray, v: np.ndarray, score_shift: int = SCORE_SHIFT) -> np.ndarray:
    """What `attn_mac_core` outputs for signed 8-bit ``q, k, v`` ``[H, N, DH]``: ``y`` ``[H, N, DH]``, int64."""
    scores, v = _scores(q, k, v)
    e = power_of_two_weights(scores, score_shift)
    total = e.sum(axis=-1)  # >= 128: the best key's weight
    _, exponent = np.frexp(total)  # total = f 2^exponent, f in [0.5, 1): its leading one is bit exponent - 1
    shift = exponent - 1 + ((total >> (exponent - 2)) & 1)  # + the bit below it: the nearest power of two
    return np.einsum("hij,hjc->hic", e, v) >> shift[..., None]


def float_softmax_attention(q: np.ndarray, k: np.ndarray, v: np.ndarray, score_shift: int = SCORE_SHIFT) -> np.ndarray:
    """The float attention the baseline approximates: ``softmax(q k^T ln2 / 2^SH) v`` on the same integers."""
    scores, v = _scores(q, k, v)
    logits = scores * (np.log(2.0) / 2**score_shift)
    p = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return np.einsum("hij,hjc->hic", p / p.sum(axis=-1, keepdims=True), v)


def approximation_error(q: np.ndarray, k: np.ndarray, v: np.ndarray, score_shift: int = SCORE_SHIFT) -> dict:
    """How far the integer baseline is from float softmax attention, in units of V's full scale (128):
    mean and largest absolute error, and the RMS error relative to the float output's RMS."""
    exact = float_softmax_attention(q, k, v, score_shift)
    error = mac_softmax_attention(q, k, v, score_shift) - exact
    return {
        "mean_abs_error_fs": float(np.abs(error).mean() / 128),
        "max_abs_error_fs": float(np.abs(error).max() / 128),
        "relative_rms_error": float(np.sqrt((error**2).mean() / (exact**2).mean())),
    }


def seeded_qkv(heads: int, tokens: int, head_dim: int, seed: int = 0,
               qk_range: int = 6) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Seeded signed 8-bit test operands: Q, K uniform in ``[-qk_range, qk_range]`` (small enough that
    the score gaps land in the softmax's 0..7 range and many keys get weight), V over the full 8 bits."""
    rng = np.random.default_rng(seed)
    qk = (heads, tokens, head_dim)
    q, k = (rng.integers(max(-qk_range, -128), min(qk_range, 127), qk, endpoint=True) for _ in range(2))
    return q, k, rng.integers(-128, 127, qk, endpoint=True)
