"""Spike-driven self-attention (SDSA, Yao et al., NeurIPS 2023), layout ``[T, B, N, D]``::

    Q, K, V = LIF(x W_q), LIF(x W_k), LIF(x W_v)      binary spikes
    kv      = LIF_kv( sum_n K[n] AND V[n] )            [T, B, D]: token popcount per channel
    out     = (Q AND kv) W_proj                        real-valued, for a residual add

Everything between the projections is AND gates and one counter per channel, linear in the number of
tokens; the product is channel-wise, so heads would not change it. :func:`sdsa_attention` is that
part, for any neuron ``LIF_kv``: the inference block (:class:`sc_neurocore.transformers.sdsa.SpikeDrivenSelfAttention`),
the trainable layer (:class:`sc_neurocore.training.modules.attention_variants.TrainableSDSA`) and the integer
twin of the RTL core call it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["sdsa_attention"]


def sdsa_attention(q: np.ndarray, k: np.ndarray, v: np.ndarray, neuron: Callable):
    """``(q AND kv, kv, state, count)`` for spikes ``q, k, v [..., N, D]``: ``count = sum_n k AND v``
    (``[..., D]``) and ``(kv, state) = neuron(count)`` (time on axis 0)."""
    count = (k * v).sum(axis=-2)
    kv, state = neuron(count)
    return q * kv[..., None, :], kv, state, count
