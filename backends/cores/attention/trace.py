"""The attention layer's co-simulation trace as the fixed twin predicts it: every Q/K/V spike word the
projection unit writes to the core, then every output neuron's membrane and spike of every step."""

from __future__ import annotations

import numpy as np

from sc_neurocore.sim.twins.seed_attention import FixedAttention, qkv_drives, qkv_spikes, run_attention_core

__all__ = ["expected_attention_trace"]


def _words(plane: np.ndarray) -> np.ndarray:
    """Bits ``[..., DH]`` -> one integer word per row, bit c = dimension c."""
    return (plane.astype(object) * (1 << np.arange(plane.shape[-1], dtype=object))).sum(axis=-1)


def _spike_word_lines(fixed: FixedAttention) -> list[str]:
    """The projection unit's writes to the core, in its order: token, head, then the T words of Q, K
    and |V| and V's sign word."""
    spec = fixed.spec
    q, k, v = qkv_spikes(fixed)
    planes = (_words(q), _words(k), _words(np.abs(v)))  # [T, H, N]
    sign = _words(qkv_drives(fixed)["v"] < 0)  # [H, N]
    lines = []
    for n in range(spec.tokens):
        for h in range(spec.num_heads):
            hi = h * spec.tokens + n
            for sel, plane in enumerate(planes):
                lines += [f"W {sel} {t} {hi} {plane[t, h, n]}" for t in range(spec.T)]
            lines.append(f"W 3 0 {hi} {sign[h, n]}")
    return lines


def expected_attention_trace(fixed: FixedAttention) -> list[str]:
    """Every Q/K/V spike word and every output-neuron update of the fixed twin, as the testbench writes them."""
    run = run_attention_core(*qkv_spikes(fixed), fixed.spec.output_threshold)
    lines = _spike_word_lines(fixed)
    for t in range(run.u.shape[0]):
        for index, (u, s) in enumerate(zip(run.u[t].ravel(), run.spikes[t].ravel())):
            lines.append(f"U {t} {index} {int(u)} {int(s)}")
    return lines
