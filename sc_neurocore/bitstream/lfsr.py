"""Maximal-length LFSRs, specified cycle by cycle so that `hdl/sc_lfsr.sv` can match them bit for bit.

An n-bit register with tap mask T (bit n-1 always set; see `taps`) and a non-zero seed. With
``state_0 = seed``, one step ``state_{k+1} = f(state_k)`` is:

* Galois (right shift, XOR the taps in when the bit shifted out is 1)::

      f(s) = (s >> 1) ^ (T if s & 1 else 0)

* Fibonacci (left shift, the parity of the tapped bits enters at bit 0)::

      f(s) = ((s << 1) | parity(s & T)) & (2^n - 1)

Both forms are linear over GF(2) and have period 2^n - 1 exactly when P(x) = 1 + sum_{i in T} x^(i+1)
is primitive (Galois runs on P, Fibonacci on its reciprocal, which is primitive too).

One clock edge applies f `stride` times (a leap-forward LFSR): ``state_{k+1} = f^stride(state_k)``.
Consecutive states of a plain LFSR share n-1 shifted bits, so comparator outputs on them are
autocorrelated and SC estimates come out ~1.2-1.5x noisier than sqrt(p(1-p)/N); a stride of 4 or more
removes that. The period stays 2^n - 1 when gcd(stride, 2^n - 1) = 1 (any power of two qualifies).

`lfsr_states` returns the raw sequence state_0, state_1, ... vectorised over many generators without a
Python loop over time: it fills [L, 2L) from [0, L) with the linear map f^L, doubling L each round, and
applies each map through byte lookup tables.
"""

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..errors import InputError
from ._checks import check_length
from .gf2 import is_primitive, mask_to_polynomial
from .taps import default_taps

__all__ = ["FORMS", "LfsrSpec", "lfsr_spec", "lfsr_step", "lfsr_step_map", "lfsr_states"]

FORMS = ("galois", "fibonacci")


@dataclass(frozen=True)
class LfsrSpec:
    """One LFSR: `width` bits, tap mask `taps`, non-zero `seed` (= state_0), `form` galois|fibonacci,
    `stride` shift steps per clock."""

    width: int
    taps: int
    seed: int
    form: str = "galois"
    stride: int = 1

    def __post_init__(self) -> None:
        default_taps(self.width)  # raises InputError for widths without a known polynomial
        limit = 1 << self.width
        if self.form not in FORMS:
            raise InputError(f"LFSR form must be one of {FORMS}, got {self.form!r}")
        if not 0 < self.seed < limit:
            raise InputError(
                f"LFSR seed must be in 1..{limit - 1} for {self.width} bits, got {self.seed} "
                "(an all-zero LFSR never leaves zero)"
            )
        period = limit - 1
        if not (self.stride >= 1 and math.gcd(self.stride, period) == 1):
            raise InputError(
                f"LFSR stride must be >= 1 and coprime with {period} to keep the full period, "
                f"got {self.stride} (powers of two always work)"
            )
        if not (self.taps >> (self.width - 1) == 1 and is_primitive(mask_to_polynomial(self.taps))):
            raise InputError(
                f"taps {self.taps:#x} are not a maximal-length polynomial for a {self.width}-bit LFSR: "
                "use sc_neurocore.bitstream.default_taps(width) or primitive_masks(width, count)"
            )


def lfsr_spec(
    width: int, seed: int = 1, form: str = "galois", taps: int | None = None, stride: int = 1
) -> LfsrSpec:
    """An `LfsrSpec` with the tap table's polynomial unless `taps` is given."""
    return LfsrSpec(width, default_taps(width) if taps is None else taps, seed, form, stride)


def lfsr_step(spec: LfsrSpec, state: int) -> int:
    """state_{k+1} = f^stride(state_k) for one integer state (the scalar reference of the RTL)."""
    for _ in range(spec.stride):
        if spec.form == "galois":
            state = (state >> 1) ^ (spec.taps if state & 1 else 0)
        else:
            feedback = (state & spec.taps).bit_count() & 1
            state = ((state << 1) | feedback) & ((1 << spec.width) - 1)
    return state


def lfsr_step_map(spec: LfsrSpec) -> tuple[int, ...]:
    """Columns of one clock's map as a GF(2) matrix: entry i is f^stride(1 << i); linear, so they define it."""
    return tuple(lfsr_step(spec, 1 << i) for i in range(spec.width))


def _byte_tables(columns: np.ndarray) -> np.ndarray:
    """(G, n) image columns -> (G, ceil(n/8), 256) tables: table[g, b, v] = map_g(v << 8b)."""
    generators, width = columns.shape
    nbytes = -(-width // 8)
    padded = np.zeros((generators, nbytes * 8), dtype=np.uint64)
    padded[:, :width] = columns
    tables = np.zeros((generators, nbytes, 256), dtype=np.uint64)
    for bit in range(8):
        # Linearity: entries with this bit set are the entries below it XOR the bit's column.
        half = 1 << bit
        tables[:, :, half : 2 * half] = tables[:, :, :half] ^ padded[:, bit::8][:, :, None]
    return tables


def _apply(tables: np.ndarray, states: np.ndarray) -> np.ndarray:
    """Apply each generator's linear map (as byte tables) to its row of `states` (G, L)."""
    generators, nbytes, _ = tables.shape
    flat = tables.reshape(-1)
    # One flat gather per byte is several times faster than a 3-D fancy index.
    base = (np.arange(generators, dtype=np.intp) * (nbytes * 256))[:, None]
    result = np.zeros_like(states)
    for byte in range(nbytes):
        index = ((states >> np.uint64(8 * byte)) & np.uint64(0xFF)).astype(np.intp)
        index += base + byte * 256
        result ^= np.take(flat, index)
    return result


def lfsr_states(specs: LfsrSpec | Sequence[LfsrSpec], length: int) -> np.ndarray:
    """Raw states state_0..state_{length-1} (uint64) of one spec, shape (length,), or of many, (G, length).

    state_0 is the seed; state_k is the register after k enabled clock edges. All specs of one call
    must share a width.
    """
    length = check_length(length)
    single = isinstance(specs, LfsrSpec)
    spec_list = [specs] if single else list(specs)
    if not spec_list:
        raise InputError("lfsr_states needs at least one LfsrSpec")
    if len({spec.width for spec in spec_list}) != 1:
        raise InputError("all LFSRs in one lfsr_states call must have the same width")
    columns = np.array([lfsr_step_map(spec) for spec in spec_list], dtype=np.uint64)
    states = np.empty((len(spec_list), length), dtype=np.uint64)
    states[:, 0] = [spec.seed for spec in spec_list]
    filled = 1
    while filled < length:
        tables = _byte_tables(columns)  # the map f^filled
        take = min(filled, length - filled)
        states[:, filled : filled + take] = _apply(tables, states[:, :take])
        filled += take
        if filled < length:
            columns = _apply(tables, columns)  # f^filled composed with itself
    return states[0] if single else states
