"""Maximal-length LFSRs, specified cycle by cycle so that `hdl/sc/sc_lfsr.sv` can match them bit for bit.

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


def state_dtype(width: int) -> np.dtype:
    """Smallest unsigned dtype holding `width`-bit states (uint16 up to 16 bits, else uint32)."""
    return np.dtype(np.uint16 if width <= 16 else np.uint32)


def _step_columns(spec_list: Sequence[LfsrSpec]) -> np.ndarray:
    """(G, n) columns of each spec's one-clock map, `lfsr_step_map` vectorised over the specs."""
    width = spec_list[0].width
    columns = np.empty((len(spec_list), width), dtype=np.uint64)
    for form in FORMS:
        rows = [g for g, spec in enumerate(spec_list) if spec.form == form]
        if not rows:
            continue
        taps = np.array([spec_list[g].taps for g in rows], dtype=np.uint64)[:, None]
        strides = np.array([spec_list[g].stride for g in rows])[:, None]
        state = np.broadcast_to(np.uint64(1) << np.arange(width, dtype=np.uint64), (len(rows), width)).copy()
        mask = np.uint64((1 << width) - 1)
        one = np.uint64(1)
        for step in range(int(strides.max())):
            if form == "galois":
                stepped = (state >> one) ^ (taps * (state & one))
            else:
                feedback = (np.bitwise_count(state & taps) & np.uint8(1)).astype(np.uint64)
                stepped = ((state << one) | feedback) & mask
            state = np.where(strides > step, stepped, state)
        columns[rows] = state
    return columns


def _byte_tables(columns: np.ndarray, dtype) -> np.ndarray:
    """(G, n) image columns -> (G, ceil(n/8), 256) tables: table[g, b, v] = map_g(v << 8b)."""
    generators, width = columns.shape
    nbytes = -(-width // 8)
    padded = np.zeros((generators, nbytes * 8), dtype=dtype)
    padded[:, :width] = columns
    tables = np.zeros((generators, nbytes, 256), dtype=dtype)
    for bit in range(8):
        # Linearity: entries with this bit set are the entries below it XOR the bit's column.
        half = 1 << bit
        np.bitwise_xor(tables[:, :, :half], padded[:, bit::8][:, :, None], out=tables[:, :, half : 2 * half])
    return tables


def _byte_planes(states: np.ndarray, nbytes: int) -> list[np.ndarray]:
    """Byte b (b < nbytes) of each state as a uint8 view, no shifting (little-endian layout)."""
    if not np.little_endian:  # pragma: no cover - every supported platform is little-endian
        return [((states >> (8 * b)) & 0xFF).astype(np.uint8) for b in range(nbytes)]
    size = states.dtype.itemsize
    as_bytes = states.view(np.uint8)
    return [as_bytes[..., b::size] for b in range(nbytes)]


def _apply(tables: np.ndarray, states: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Apply each generator's linear map (as byte tables) to its row of `states` (G, L)."""
    generators, nbytes, _ = tables.shape
    flat = tables.reshape(-1)
    # One flat gather per byte (of a uint8 view: no shift or mask) is several times faster than a
    # 3-D fancy index.
    base = (np.arange(generators, dtype=np.intp) * (nbytes * 256))[:, None]
    index = np.empty(states.shape, dtype=np.intp)
    result = None
    for byte, plane in enumerate(_byte_planes(states, nbytes)):
        np.add(plane, base + byte * 256, out=index)
        gathered = np.take(flat, index)
        if result is None:
            result = gathered
        else:
            result ^= gathered
    if out is None:
        return result
    out[...] = result
    return out


def _compact_states(spec_list: Sequence[LfsrSpec], length: int) -> np.ndarray:
    """`lfsr_states` of many specs of one width as (G, length) `state_dtype(width)`.

    Doubling: [L, 2L) is f^L applied to [0, L); f^L's byte tables come from f^(L/2)'s columns.
    """
    dtype = state_dtype(spec_list[0].width)
    columns = _step_columns(spec_list).astype(dtype)
    states = np.empty((len(spec_list), length), dtype=dtype)
    states[:, 0] = [spec.seed for spec in spec_list]
    filled = 1
    while filled < length:
        tables = _byte_tables(columns, dtype)  # the map f^filled
        take = min(filled, length - filled)
        _apply(tables, states[:, :take], out=states[:, filled : filled + take])
        filled += take
        if filled < length:
            columns = _apply(tables, columns)  # f^filled composed with itself
    return states


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
    states = _compact_states(spec_list, length).astype(np.uint64)
    return states[0] if single else states
