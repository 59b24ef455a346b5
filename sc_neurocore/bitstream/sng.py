"""Stochastic number generators: comparator SNGs on LFSR states, plus a Bernoulli reference.

Unipolar coding: a value p in [0, 1] is a stream with P(bit = 1) = p. Bipolar coding: x in [-1, 1] is a
stream with P(bit = 1) = (x + 1) / 2.

Comparator SNG on an n-bit LFSR, cycle k (RTL: `hdl/sc/sc_sng.sv`, combinational on the register output):

    word_k = reverse?(rotl(state_k, rotation))      (rotate left within n bits, then optional bit reversal)
    bit_k  = word_k <= threshold,    threshold = rint(p * (2^n - 1))   (ties to even)

`state_k` is the register *before* the k-th update, so bit_0 is computed from the seed. Over a full
period the words are each of 1..2^n - 1 exactly once, so exactly `threshold` of the 2^n - 1 bits are ones:
p = 0 and p = 1 are exact, every other p is off by at most 1/(2 (2^n - 1)).
"""

import numpy as np

from ..errors import InputError
from ._checks import check_length, check_probability
from .lfsr import LfsrSpec, lfsr_states
from .packed import Bitstreams, pack

__all__ = [
    "bipolar_to_unipolar",
    "lfsr_threshold",
    "comparator_words",
    "comparator_bits",
    "encode_lfsr",
    "encode_bernoulli",
]

_REVERSED_BYTES = np.array([int(f"{value:08b}"[::-1], 2) for value in range(256)], dtype=np.uint64)


def bipolar_to_unipolar(values) -> np.ndarray:
    """p = (x + 1) / 2 for bipolar values x in [-1, 1] (`InputError` outside)."""
    return (check_probability(values, bipolar=True) + 1.0) / 2.0


def lfsr_threshold(probability, width: int) -> np.ndarray:
    """Comparator threshold rint(p (2^n - 1)) (int64) for unipolar p in [0, 1]."""
    p = check_probability(probability)
    return np.rint(p * float((1 << width) - 1)).astype(np.int64)


def _reverse_bits(words: np.ndarray, width: int) -> np.ndarray:
    nbytes = -(-width // 8)
    reversed_words = np.zeros_like(words)
    for byte in range(nbytes):
        chunk = (words >> np.uint64(8 * byte)) & np.uint64(0xFF)
        reversed_words |= _REVERSED_BYTES[chunk.astype(np.intp)] << np.uint64(8 * (nbytes - 1 - byte))
    return reversed_words >> np.uint64(8 * nbytes - width)


def comparator_words(states, width: int, rotation: int = 0, reverse: bool = False) -> np.ndarray:
    """The comparator input word for each state: optional bit reversal of rotl(state, rotation)."""
    if not 0 <= rotation < width:
        raise InputError(f"rotation must be in 0..{width - 1} for a {width}-bit state, got {rotation}")
    words = np.asarray(states, dtype=np.uint64)
    if rotation:
        mask = np.uint64((1 << width) - 1)
        words = ((words << np.uint64(rotation)) | (words >> np.uint64(width - rotation))) & mask
    return _reverse_bits(words, width) if reverse else words


def comparator_bits(words, thresholds) -> np.ndarray:
    """bit = word <= threshold, broadcasting `thresholds` (..., 1) against `words` (..., N)."""
    return np.asarray(words, dtype=np.uint64) <= np.asarray(thresholds, dtype=np.uint64)


def encode_lfsr(
    probability, length: int, spec: LfsrSpec, *, rotation: int = 0, reverse: bool = False
) -> Bitstreams:
    """Comparator-SNG streams for unipolar `probability` (any shape) all read from one LFSR `spec`.

    Streams from the same spec and view are maximally correlated: use an allocation
    (`allocate_streams`) for operands that must be independent.
    """
    thresholds = lfsr_threshold(probability, spec.width)
    words = comparator_words(lfsr_states(spec, length), spec.width, rotation, reverse)
    return pack(comparator_bits(words, thresholds[..., None]))


def encode_bernoulli(probability, length: int, *, seed: int) -> Bitstreams:
    """Independent Bernoulli streams (seeded NumPy PCG64): the software reference for SC error theory.

    Not reproducible in hardware; every bit is an independent draw, so estimates have variance
    exactly p (1 - p) / N.
    """
    p = check_probability(probability)
    uniforms = np.random.default_rng(seed).random(p.shape + (check_length(length),))
    return pack(uniforms < p[..., None])
