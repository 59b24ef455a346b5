"""Bit-packed bitstreams: many streams of N bits held as uint64 words.

Bit k of a stream (the bit of clock cycle k) is bit ``k % 64`` of word ``k // 64``. Bits past the
length in the last word (padding) are always zero, so popcounts need no mask; operations that could
set them (XNOR, NOT) clear them again. Leading array axes are lanes, streams, batch: anything.
"""

from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from ._checks import check_length

__all__ = ["Bitstreams", "word_count", "pack", "unpack", "popcount", "decode_unipolar", "decode_bipolar"]


def word_count(length: int) -> int:
    """Number of uint64 words holding `length` bits."""
    return -(-check_length(length) // 64)


@dataclass(frozen=True, eq=False)
class Bitstreams:
    """Streams of `length` bits packed in `words` (uint64, shape leading + (word_count(length),))."""

    words: np.ndarray
    length: int

    def __post_init__(self) -> None:
        if self.words.dtype != np.uint64 or self.words.ndim < 1:
            raise InputError("Bitstreams.words must be a uint64 array with the words on the last axis")
        if self.words.shape[-1] != word_count(self.length):
            raise InputError(
                f"{self.length}-bit streams need {word_count(self.length)} words, got {self.words.shape[-1]}"
            )

    @property
    def shape(self) -> tuple[int, ...]:
        """Leading shape: one entry per stream."""
        return self.words.shape[:-1]

    def __getitem__(self, index) -> "Bitstreams":
        """Select streams by indexing the leading axes (never the word axis)."""
        words = self.words[index]
        if words.ndim == 0 or words.shape[-1] != self.words.shape[-1]:
            raise InputError("index Bitstreams by their leading (stream) axes only")
        return Bitstreams(words, self.length)

    def padding_mask(self) -> np.ndarray:
        """uint64 mask per word of the bits that belong to the stream."""
        mask = np.full(self.words.shape[-1], np.uint64(0xFFFF_FFFF_FFFF_FFFF), dtype=np.uint64)
        tail = self.length % 64
        if tail:
            mask[-1] = np.uint64((1 << tail) - 1)
        return mask


def pack(bits) -> Bitstreams:
    """Pack a boolean array (..., N) into `Bitstreams` of length N."""
    bits = np.asarray(bits, dtype=bool)
    if bits.ndim < 1:
        raise InputError("pack needs an array whose last axis is time")
    length = check_length(bits.shape[-1])
    packed = np.packbits(bits, axis=-1, bitorder="little")
    padded = np.zeros(bits.shape[:-1] + (word_count(length) * 8,), dtype=np.uint8)
    padded[..., : packed.shape[-1]] = packed
    return Bitstreams(padded.view("<u8").astype(np.uint64, copy=False), length)


def unpack(streams: Bitstreams) -> np.ndarray:
    """Boolean array (..., N): the inverse of `pack`."""
    as_bytes = np.ascontiguousarray(streams.words.astype("<u8", copy=False)).view(np.uint8)
    bits = np.unpackbits(as_bytes, axis=-1, count=streams.length, bitorder="little")
    return bits.astype(bool)


def popcount(streams: Bitstreams) -> np.ndarray:
    """Number of ones in each stream (int64, leading shape)."""
    return np.bitwise_count(streams.words).sum(axis=-1, dtype=np.int64)


def decode_unipolar(streams: Bitstreams) -> np.ndarray:
    """Unipolar value p = (ones) / N of each stream."""
    return popcount(streams) / streams.length


def decode_bipolar(streams: Bitstreams) -> np.ndarray:
    """Bipolar value x = 2 p - 1 of each stream."""
    return 2.0 * decode_unipolar(streams) - 1.0
