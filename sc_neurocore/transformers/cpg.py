"""The seed API's central-pattern-generator position encoding: Kuramoto rings (default) or CPG-PE spikes.

The codes are defined in :mod:`sc_neurocore.models.cpg`. ``mode="kuramoto"``: channel ``(r, i)`` encodes
``(1 + cos theta_{r,i}) / 2`` of ring ``r``'s oscillator ``i``; ``encode_spikes`` rate-codes it.
``mode="cpg-pe"`` (CPG-PE, NeurIPS 2024): ``encode`` gives the continuous ``(1 + sin) / 2``,
``(1 + cos) / 2`` and ``encode_spikes`` the deterministic spikes ``H(sin - 0.8)``, ``H(cos - 0.8)``
(``rng`` is not used).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from sc_neurocore.errors import InputError
from sc_neurocore.ir.blocks import CPGEncoderOp
from sc_neurocore.models.cpg import CPG_PE_THRESHOLD, cpg_pe_table, kuramoto_phases
from sc_neurocore.transformers._checks import positive_int

__all__ = ["CPGPositionalEncoding", "cpg_encoder_op"]

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
        phases = kuramoto_phases(self.d_model // m, m, self.max_len, self.coupling, self.burn_in, self.seed)
        self.phases = phases
        return ((1.0 + np.cos(phases)) / 2).reshape(self.max_len, self.d_model)

    def _cpg_pe_table(self) -> np.ndarray:
        if self.d_model % 2:
            raise InputError(f"d_model={self.d_model} must be even in cpg-pe mode (sin/cos pairs)")
        return cpg_pe_table(self.d_model, self.max_len)

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
            return (self._table[: self._length(seq_len)] >= CPG_PE_THRESHOLD).astype(np.int8)
        rates = self._table[: self._length(seq_len)]
        rng = np.random.default_rng(0) if rng is None else rng
        if not hasattr(rng, "random"):
            raise InputError("rng must be a numpy Generator or RandomState")
        return (rng.random(rates.shape) < rates).astype(np.int8)


def cpg_encoder_op(encoder: CPGPositionalEncoding) -> CPGEncoderOp:
    """The IR op of ``encoder``: its code for all ``max_len`` positions and its hyper-parameters."""
    return CPGEncoderOp(encoder.encode(encoder.max_len), encoder.mode, encoder.oscillators, encoder.coupling,
                        encoder.burn_in, encoder.seed)
