"""Central-pattern-generator position codes as pure functions of their parameters.

Kuramoto rings (:func:`kuramoto_phases`): ``d_model / m`` rings of ``m`` phase oscillators, stepped once per
token position by a discrete Kuramoto map with a phase lag ``psi = 2 pi / m``::

    theta_{r,i}(p+1) = theta_{r,i}(p) + omega_r
                       + (kappa / 2) [sin(theta_{r,i+1} - theta_{r,i} - psi)
                                      + sin(theta_{r,i-1} - theta_{r,i} + psi)]     (i mod m)

With ``phi_i = theta_i - i psi`` this is nearest-neighbour Kuramoto coupling, whose in-phase state is
stable for ``0 < kappa < 1`` (deviations shrink by ``|1 - kappa (1 - cos(2 pi q / m))|`` per step),
so each ring locks into a travelling wave ``theta_{r,i}(p) = theta_r + omega_r p + i psi`` — the
gait of a four-legged CPG for ``m = 4``. The rings start from a seeded perturbation of that wave
and run ``burn_in`` steps before position 0. Once locked, ``theta(p + k) - theta(p) = omega_r k``
for every oscillator and every ``p``: a shift in position is the same rotation of every ring,
so relative position is a phase relationship. Frequencies are geometric from ``pi / 2`` down to
``pi / max_len`` rad per position (the slowest ring sweeps half a turn over ``max_len``).
Channel ``(r, i)`` encodes ``(1 + cos theta_{r,i}) / 2``.

CPG-PE (:func:`cpg_pe_table`, NeurIPS 2024): ``sin(p w_i)``, ``cos(p w_i)`` interleaved,
``w_i = 10000^(-2i / d_model)``; the spikes are ``H(sin - 0.8)``, ``H(cos - 0.8)``.

Phase chain (:func:`phase_chain_code`, the trainable transformer's position currents): oscillator ``d``
runs at ``omega_d = pi * base^(-d/D)`` rad per token; neighbours keep a fixed phase lag ``delta`` (the
steady state of nearest-neighbour coupling), so ``pe[p, d] = (sin(omega_d p + d delta) + 1) / 2``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["CPG_PE_THRESHOLD", "kuramoto_phases", "cpg_pe_table", "phase_chain_code"]

CPG_PE_THRESHOLD = 0.8  # CPG-PE's spike threshold on sin and cos


def kuramoto_phases(rings: int, oscillators: int, max_len: int, coupling: float, burn_in: int,
                    seed: int) -> np.ndarray:
    """``theta[p, ring, i]`` for positions ``0 .. max_len - 1``, wrapped to ``[0, 2 pi)``."""
    m = oscillators
    lag = 2 * np.pi / m
    omega = (np.pi / 2) * (2.0 / max_len) ** (np.arange(rings) / max(rings - 1, 1))
    rng = np.random.default_rng(seed)
    theta = np.arange(m) * lag + rng.uniform(-0.5, 0.5, (rings, m))
    half = coupling / 2
    phases = np.empty((max_len, rings, m))
    for p in range(-burn_in, max_len):
        if p >= 0:
            phases[p] = theta
        ahead = np.roll(theta, -1, axis=1) - theta - lag
        behind = np.roll(theta, 1, axis=1) - theta + lag
        # wrap to [0, 2 pi): keeps the absolute phase small so its rounding error stays ~1e-15
        theta = np.mod(theta + omega[:, None] + half * (np.sin(ahead) + np.sin(behind)), 2 * np.pi)
    return phases


def cpg_pe_table(d_model: int, max_len: int) -> np.ndarray:
    """``(max_len, d_model)``: ``sin(p w_i)`` in the even channels, ``cos(p w_i)`` in the odd ones."""
    omega = 10000.0 ** (-2.0 * np.arange(d_model // 2) / d_model)
    angle = np.arange(max_len)[:, None] * omega[None, :]
    table = np.empty((max_len, d_model))
    table[:, 0::2] = np.sin(angle)
    table[:, 1::2] = np.cos(angle)
    return table


def phase_chain_code(d_model: int, seq_len: int, base: float = 64.0, lag: float = np.pi / 4) -> np.ndarray:
    """float32 ``(seq_len, d_model)`` codes in ``[0, 1]``: ``(sin(omega_d p + d lag) + 1) / 2``."""
    d = np.arange(d_model)
    frequencies = np.pi * base ** (-d / d_model)
    p = np.arange(seq_len)[:, None]
    return ((np.sin(p * frequencies + d * lag) + 1) / 2).astype(np.float32)
