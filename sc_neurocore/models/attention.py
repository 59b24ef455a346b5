"""Multi-head spiking attention with an addition-only core: Spikformer SSA and A²OS²A, layout ``[T, B, N, D]``.

Spikformer SSA (Zhou et al., ICLR 2023)::

    Q, K, V = LIF(x W_q), LIF(x W_k), LIF(x W_v)                 binary spikes
    A       = LIF_attn(s * concat_h Q_h (K_h^T V_h))             no softmax; s = 0.125
    out     = LIF(A W_proj)

A²OS²A (Guo et al., CVPR 2025)::

    Q = LIF(x W_q) binary,   K = ReLU(x W_k) real >= 0,   V = TernaryLIF(x W_v) in {-1, 0, +1}
    A = LIF_attn(concat_h Q_h (K_h^T V_h));   out = LIF(A W_proj)

Between the projections both are :func:`spiking_attention`: ``K^T V`` adds (or subtracts) rows where a
spike operand fires and ``Q`` gates additions of its rows — no multiplier. The inference blocks
(:mod:`sc_neurocore.transformers`), the trainable layers (:mod:`sc_neurocore.training`) and the integer
twins of the RTL cores all call it, each with its own neuron ``LIF_attn``. Channel ``c`` of
``D = heads * d`` belongs to head ``c // d``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


__all__ = ["split_heads", "merge_heads", "head_product", "spiking_attention"]


def split_heads(x: np.ndarray, num_heads: int) -> np.ndarray:
    """``[..., N, D] -> [..., heads, N, D / heads]`` (a view; channel ``c`` goes to head ``c // d``)."""
    *lead, tokens, dim = x.shape
    return x.reshape(*lead, tokens, num_heads, dim // num_heads).swapaxes(-2, -3)


def merge_heads(x: np.ndarray) -> np.ndarray:
    """Inverse of :func:`split_heads`: ``[..., heads, N, d] -> [..., N, heads * d]``."""
    *lead, heads, tokens, width = x.shape
    return x.swapaxes(-2, -3).reshape(*lead, tokens, heads * width)


def head_product(q: np.ndarray, k: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``Q (K^T V)`` per head, ``[..., h, N, d]`` each: the addition-only product of spiking attention.

    With spike operands ``K^T V`` adds (or subtracts) rows of one operand where the other spikes and ``Q``
    gates additions of its rows, in time linear in ``N``. Equal to ``(Q K^T) V`` on integers (any order
    of exact sums), which the trainable layers' backward passes use.
    """
    return q @ (k.swapaxes(-1, -2) @ v)


def spiking_attention(q: np.ndarray, k: np.ndarray, v: np.ndarray, num_heads: int, neuron: Callable):
    """``(spikes, state, y)``: the attention drive ``y = concat_h Q_h (K_h^T V_h)`` of ``q, k, v [..., N, D]``
    and what ``neuron(y) -> (spikes, state)`` makes of it (time on axis 0)."""
    y = merge_heads(head_product(*(split_heads(a, num_heads) for a in (q, k, v))))
    spikes, state = neuron(y)
    return spikes, state, y
