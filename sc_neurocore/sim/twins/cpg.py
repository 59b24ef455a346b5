"""Integer twin of the CPG-PE position encoder (``CPGPositionalEncoding(mode="cpg-pe")``).

Frequency ``i`` of ``d_model / 2`` is a ``PB``-bit phase accumulator (a whole turn is ``2^PB``)::

    W_i = round(w_i 2^PB / 2 pi) mod 2^PB,  w_i = 10000^(-2i / d_model)
    phase_i(p) = p W_i mod 2^PB                        one addition per position
    s_2i(p)   = [LO <= phase_i(p) <= HI]                sin >= 0.8: a window around a quarter turn
    s_2i+1(p) = [phase_i(p) <= CW or phase_i(p) >= 2^PB - CW]    cos >= 0.8: a window around zero

with ``LO = ceil(a 2^PB)``, ``HI = floor((1/2 - a) 2^PB)``, ``a = asin(0.8) / 2 pi`` and
``CW = floor(acos(0.8) 2^PB / 2 pi)``: the comparators replace sin and cos.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sc_neurocore.errors import UnsupportedError
from sc_neurocore.ir.blocks import CPGEncoderOp
from sc_neurocore.models.cpg import CPG_PE_THRESHOLD
from sc_neurocore.transformers.cpg import CPGPositionalEncoding
from sc_neurocore.transformers.spec import CpgSpec

__all__ = ["CpgConstants", "cpg_spec_for", "cpg_constants", "run_fixed_cpg", "cpg_report"]

@dataclass(frozen=True)
class CpgConstants:
    increments: np.ndarray  # [d_model / 2] phase increments W_i
    lo: int
    hi: int
    cw: int


def cpg_spec_for(encoder: CPGEncoderOp, **hardware) -> CpgSpec:
    """The spec of `encoder`'s own code: its width and all ``max_len`` positions; `hardware` sets the
    rest (phase_bits, lanes). CPG-PE has no free arrays (its frequencies follow from ``d_model``), so
    this spec is the whole encoder. UnsupportedError for the Kuramoto rings (no hardware)."""
    if encoder.mode != "cpg-pe":
        raise UnsupportedError(f"the CPG hardware is CPG-PE (mode 'cpg-pe'); this encoder runs {encoder.mode!r}")
    return CpgSpec(d_model=encoder.d_model, positions=encoder.max_len, **hardware)


def cpg_constants(spec: CpgSpec) -> CpgConstants:
    turn = 1 << spec.phase_bits
    omega = 10000.0 ** (-2.0 * np.arange(spec.d_model // 2) / spec.d_model)
    increments = np.round(omega * turn / (2 * np.pi)).astype(np.int64) % turn
    a = math.asin(CPG_PE_THRESHOLD) / (2 * math.pi)
    return CpgConstants(increments, math.ceil(a * turn), math.floor((0.5 - a) * turn),
                        math.floor(math.acos(CPG_PE_THRESHOLD) / (2 * math.pi) * turn))


def run_fixed_cpg(spec: CpgSpec) -> tuple[np.ndarray, np.ndarray]:
    """``(phases [positions, d_model / 2], spikes int8 [positions, d_model])`` of the encoder."""
    k = cpg_constants(spec)
    turn = 1 << spec.phase_bits
    phases = (np.arange(spec.positions)[:, None] * k.increments[None, :]) % turn
    spikes = np.empty((spec.positions, spec.d_model), np.int8)
    spikes[:, 0::2] = (phases >= k.lo) & (phases <= k.hi)
    spikes[:, 1::2] = (phases <= k.cw) | (phases >= turn - k.cw)
    return phases, spikes


def cpg_report(spec: CpgSpec) -> dict:
    """Spike agreement with the float encoder (sin/cos against 0.8) over the spec's positions."""
    float_spikes = CPGPositionalEncoding(spec.d_model, spec.positions, mode="cpg-pe").encode_spikes(spec.positions)
    _, spikes = run_fixed_cpg(spec)
    return {"spike_agreement": float(np.mean(float_spikes == spikes)), "spike_rate": float(np.mean(spikes))}
