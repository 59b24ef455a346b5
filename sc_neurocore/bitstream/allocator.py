"""Stream allocation: every SC stream of a design gets its own generator configuration.

Operands of an AND/XNOR must be independent or the product is wrong (two streams from the same
generator and view AND to min(p_a, p_b), not p_a p_b). The allocator decorrelates by construction:

* generators: distinct primitive polynomials of one width (the tap table's first, then ascending
  masks), each with its own non-zero seed drawn from `seed` (NumPy PCG64), so no two share a sequence;
* leap-forward: each generator advances `stride` shift steps per clock (default 4), which removes the
  autocorrelation between consecutive comparator bits of a plain LFSR, so estimates follow the
  binomial error sqrt(p(1-p)/N) instead of being ~1.3x noisier;
* views: with ``views_per_generator`` = v > 1, up to four comparators share one LFSR register, reading
  it as rotl(state, r) optionally bit-reversed, r in {0, n/2}: each view takes its high-order
  (comparator-deciding) bits from a different part of the register. Views cost wiring only in RTL.

Stream s uses generator s // v and view s % v from the list (0, plain), (0, reversed),
(n/2, plain), (n/2, reversed). The same allocation drives `encode` here and the RTL parameters
(`sc_lfsr` TAPS/SEED, `sc_sng` ROTATE/REVERSE).
"""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..errors import InputError
from ._checks import check_length
from .gf2 import primitive_masks
from .lfsr import LfsrSpec, _byte_planes, _byte_tables, _compact_states
from .packed import Bitstreams, pack
from .sng import bipolar_to_unipolar, comparator_words, lfsr_threshold
from .taps import default_taps

__all__ = ["DEFAULT_STRIDE", "MAX_VIEWS", "StreamView", "StreamAllocation", "allocate_streams"]

MAX_VIEWS = 4
DEFAULT_STRIDE = 4


@dataclass(frozen=True)
class StreamView:
    """How one stream reads its generator: index into `generators`, rotate-left amount, bit reversal."""

    generator: int
    rotation: int
    reverse: bool


@dataclass(frozen=True)
class StreamAllocation:
    """Generators (one `sc_lfsr` each in RTL) and one view (one `sc_sng`) per stream."""

    generators: tuple[LfsrSpec, ...]
    streams: tuple[StreamView, ...]

    @property
    def width(self) -> int:
        """Register width shared by all generators."""
        return self.generators[0].width

    def states(self, length: int) -> np.ndarray:
        """Raw generator states (G, length): row g is `lfsr_states(generators[g], length)`."""
        return _states(self, check_length(length))

    def words(self, length: int, streams=None) -> np.ndarray:
        """Comparator words (S, length) of the selected streams (default: all, in order)."""
        words = _words(self, check_length(length))
        return words if streams is None else words[self._indices(streams)]

    def encode(self, values, length: int, *, streams=None, bipolar: bool = False) -> Bitstreams:
        """Encode `values` (..., S) on the selected S streams: Bitstreams of shape (..., S)."""
        check_length(length)
        views = self._select(streams)
        values = np.asarray(values, dtype=np.float64)
        if values.shape[-1:] != (len(views),):
            raise InputError(f"encode needs values with a last axis of {len(views)} (one per stream)")
        probability = bipolar_to_unipolar(values) if bipolar else values
        thresholds = lfsr_threshold(probability, self.width)
        # Compare in the generators' compact dtype: thresholds are at most 2^n - 1, so the bits are
        # those of `comparator_bits(self.words(...), ...)`.
        words = _compact_words(self, length)
        if streams is not None:
            words = words[self._indices(streams)]
        return pack(np.less_equal(words, thresholds.astype(words.dtype)[..., None]))

    def _select(self, streams) -> tuple[StreamView, ...]:
        if streams is None:
            return self.streams
        return tuple(self.streams[i] for i in self._indices(streams))

    def _indices(self, streams) -> np.ndarray:
        return np.atleast_1d(np.arange(len(self.streams))[streams])


# Generator sequences depend only on (allocation, length): simulating many inputs reuses them,
# exactly as the RTL reuses its free-running LFSRs. Cached arrays are read-only. The internal ones
# hold states and words in the compact `state_dtype(width)`; the public `states`/`words` widen them
# to uint64 once.
def _read_only(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


@lru_cache(maxsize=8)
def _compact_generator_states(allocation: StreamAllocation, length: int) -> np.ndarray:
    return _read_only(_compact_states(allocation.generators, length))


@lru_cache(maxsize=8)
def _states(allocation: StreamAllocation, length: int) -> np.ndarray:
    return _read_only(_compact_generator_states(allocation, length).astype(np.uint64))


@lru_cache(maxsize=32)
def _view_table(width: int, rotation: int, reverse: bool) -> np.ndarray:
    """The comparator view (rotate, reverse) is linear over GF(2): as a lookup table on the whole
    state for widths up to 16 (shape (2^n,)), else as byte tables (shape (1, nbytes, 256))."""
    dtype = np.dtype(np.uint16 if width <= 16 else np.uint32)
    columns = comparator_words(np.uint64(1) << np.arange(width, dtype=np.uint64), width, rotation, reverse)
    tables = _byte_tables(columns[None, :].astype(dtype), dtype)
    if width <= 8:
        return tables[0, 0]
    if width <= 16:  # entry (high << 8) | low = high byte's image XOR low byte's image
        return (tables[0, 1][:, None] ^ tables[0, 0][None, :]).reshape(-1)
    return tables


def _apply_view(states: np.ndarray, width: int, rotation: int, reverse: bool, out: np.ndarray) -> None:
    if not rotation and not reverse:
        out[...] = states
        return
    table = _view_table(width, rotation, reverse)
    if table.ndim == 1:
        out[...] = np.take(table, states)
        return
    flat = table.reshape(-1)
    result = None
    for byte, plane in enumerate(_byte_planes(states, table.shape[1])):
        gathered = np.take(flat[byte * 256 : (byte + 1) * 256], plane)
        result = gathered if result is None else result ^ gathered
    out[...] = result


def _as_slice(indices: list[int]) -> slice | list[int]:
    """A regular index list as a slice (basic indexing: no copies), else the list itself."""
    if len(indices) == 1:
        return slice(indices[0], indices[0] + 1)
    step = indices[1] - indices[0]
    if step > 0 and all(b - a == step for a, b in zip(indices, indices[1:])):
        return slice(indices[0], indices[-1] + 1, step)
    return indices


@lru_cache(maxsize=8)
def _compact_words(allocation: StreamAllocation, length: int) -> np.ndarray:
    states = _compact_generator_states(allocation, length)
    words = np.empty((len(allocation.streams), length), dtype=states.dtype)
    by_view: dict[tuple[int, bool], list[int]] = {}
    for index, view in enumerate(allocation.streams):
        by_view.setdefault((view.rotation, view.reverse), []).append(index)
    for (rotation, reverse), indices in by_view.items():
        generators = [allocation.streams[i].generator for i in indices]
        source = _as_slice(generators)
        rows = _as_slice(indices)
        if isinstance(rows, list):
            block = np.empty((len(indices), length), dtype=states.dtype)
            _apply_view(states[source], allocation.width, rotation, reverse, block)
            words[rows] = block
        else:
            _apply_view(states[source], allocation.width, rotation, reverse, words[rows])
    return _read_only(words)


@lru_cache(maxsize=8)
def _words(allocation: StreamAllocation, length: int) -> np.ndarray:
    return _read_only(_compact_words(allocation, length).astype(np.uint64))


def allocate_streams(
    count: int,
    *,
    width: int = 16,
    form: str = "galois",
    seed: int = 1,
    views_per_generator: int = 1,
    stride: int = DEFAULT_STRIDE,
) -> StreamAllocation:
    """Give `count` streams decorrelated generator configurations (deterministic in `seed`)."""
    check_length(count, "count")
    if not 1 <= views_per_generator <= MAX_VIEWS:
        raise InputError(f"views_per_generator must be 1..{MAX_VIEWS}, got {views_per_generator}")
    needed = -(-count // views_per_generator)
    masks = primitive_masks(width, needed, default_taps(width))
    seeds = np.random.default_rng(seed).integers(1, 1 << width, size=needed)
    generators = tuple(LfsrSpec(width, mask, int(s), form, stride) for mask, s in zip(masks, seeds))
    views = [(0, False), (0, True), (width // 2, False), (width // 2, True)]
    streams = tuple(
        StreamView(s // views_per_generator, *views[s % views_per_generator]) for s in range(count)
    )
    return StreamAllocation(generators, streams)
