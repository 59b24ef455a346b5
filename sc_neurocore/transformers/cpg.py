"""Central-pattern-generator position encoding: coupled phase oscillators, or the CPG-PE spikes.

``mode="kuramoto"`` (default): ``d_model / m`` rings of ``m`` phase oscillators, stepped once per
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

``mode="cpg-pe"`` (CPG-PE, NeurIPS 2024): ``s_2i(p) = H(sin(p w_i) - 0.8)``,
``s_2i+1(p) = H(cos(p w_i) - 0.8)``, ``w_i = 10000^(-2i / d_model)``; ``encode`` gives the
continuous ``(1 + sin) / 2``, ``(1 + cos) / 2`` and ``encode_spikes`` the deterministic spikes
(``rng`` is not used).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from sc_neurocore.errors import InputError
from sc_neurocore.transformers._checks import positive_int

__all__ = ["CPGPositionalEncoding"]

MODES = ("kuramoto", "cpg-pe")


@dataclass(eq=False)
class CPGPositionalEncoding:
    """Position encoding from a CPG (seed API). ``phases`` holds ``theta[p, ring, i]`` (kuramoto)."""

    d_model: int
    max_len: int = 1024
    mode: str = "kuramoto"
    oscillators: int = 4
    coupling: float = 0.5
    burn_in: int = 100
    seed: int = 0

    def __post_init__(self):
        positive_int("d_model", self.d_model)
        positive_int("max_len", self.max_len)
        if self.mode == "kuramoto":
            self._table = self._kuramoto_table()
        elif self.mode == "cpg-pe":
            self._table = self._cpg_pe_table()
        else:
            raise InputError(f"mode must be one of {', '.join(MODES)}, got {self.mode!r}")

    def _kuramoto_table(self) -> np.ndarray:
        m = positive_int("oscillators", self.oscillators)
        if m < 2 or self.d_model % m:
            raise InputError(
                f"d_model={self.d_model} must be a multiple of oscillators={m} (>= 2) in kuramoto mode"
            )
        if not 0 < self.coupling < 1:
            raise InputError(f"coupling must lie in (0, 1) for the rings to lock, got {self.coupling}")
        if isinstance(self.burn_in, bool) or not isinstance(self.burn_in, numbers.Integral) or self.burn_in < 0:
            raise InputError(f"burn_in must be a non-negative integer, got {self.burn_in!r}")
        rings = self.d_model // m
        lag = 2 * np.pi / m
        omega = (np.pi / 2) * (2.0 / self.max_len) ** (np.arange(rings) / max(rings - 1, 1))
        rng = np.random.default_rng(self.seed)
        theta = np.arange(m) * lag + rng.uniform(-0.5, 0.5, (rings, m))
        half = self.coupling / 2
        phases = np.empty((self.max_len, rings, m))
        for p in range(-self.burn_in, self.max_len):
            if p >= 0:
                phases[p] = theta
            ahead = np.roll(theta, -1, axis=1) - theta - lag
            behind = np.roll(theta, 1, axis=1) - theta + lag
            # wrap to [0, 2 pi): keeps the absolute phase small so its rounding error stays ~1e-15
            theta = np.mod(theta + omega[:, None] + half * (np.sin(ahead) + np.sin(behind)), 2 * np.pi)
        self.phases = phases
        return ((1.0 + np.cos(phases)) / 2).reshape(self.max_len, self.d_model)

    def _cpg_pe_table(self) -> np.ndarray:
        if self.d_model % 2:
            raise InputError(f"d_model={self.d_model} must be even in cpg-pe mode (sin/cos pairs)")
        omega = 10000.0 ** (-2.0 * np.arange(self.d_model // 2) / self.d_model)
        angle = np.arange(self.max_len)[:, None] * omega[None, :]
        table = np.empty((self.max_len, self.d_model))
        table[:, 0::2] = np.sin(angle)
        table[:, 1::2] = np.cos(angle)
        return table

    def _length(self, seq_len) -> int:
        if isinstance(seq_len, bool) or not isinstance(seq_len, numbers.Integral) or seq_len < 0:
            raise InputError(f"seq_len must be a non-negative integer, got {seq_len!r}")
        if seq_len > self.max_len:
            raise InputError(
                f"seq_len={seq_len} exceeds max_len={self.max_len}: build the encoder with a larger max_len"
            )
        return int(seq_len)

    def encode(self, seq_len: int) -> np.ndarray:
        """Encoding of positions ``0 .. seq_len - 1``: float64 ``(seq_len, d_model)`` in [0, 1]."""
        rows = self._table[: self._length(seq_len)]
        return (1.0 + rows) / 2 if self.mode == "cpg-pe" else rows.copy()

    def encode_spikes(self, seq_len: int, rng=None) -> np.ndarray:
        """Binary ``int8 (seq_len, d_model)``.

        kuramoto: Bernoulli rate code of :meth:`encode`, drawn from ``rng`` (a ``Generator`` or
        ``RandomState``; default ``np.random.default_rng(0)``, so the same call gives the same
        spikes). cpg-pe: the deterministic threshold spikes; ``rng`` is not used.
        """
        if self.mode == "cpg-pe":
            return (self._table[: self._length(seq_len)] >= 0.8).astype(np.int8)
        rates = self._table[: self._length(seq_len)]
        rng = np.random.default_rng(0) if rng is None else rng
        if not hasattr(rng, "random"):
            raise InputError("rng must be a numpy Generator or RandomState")
        return (rng.random(rates.shape) < rates).astype(np.int8)
