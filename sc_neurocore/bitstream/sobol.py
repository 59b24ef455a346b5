"""Sobol (low-discrepancy) SNGs: a comparator on Sobol words instead of LFSR states.

Dimension d of a w-bit Sobol sequence has direction numbers V_1..V_w. Dimension 0 is the van der Corput
sequence, V_j = 2^(w - j). Dimension d >= 1 uses the d-th primitive polynomial
x^s + a_1 x^(s-1) + ... + a_(s-1) x + 1 (ordered by degree, then value) with initial numbers
m_i = 2^i - 1 (odd and < 2^i, as required; not a tuned table), V_i = m_i 2^(w - i), and

    V_j = V_(j-s) ^ (V_(j-s) >> s) ^ XOR_(k=1..s-1) a_k V_(j-k)      for j > s.

Word k is x_k = XOR_j (bit j-1 of gray(k)) V_j with gray(k) = k ^ (k >> 1); in hardware this is the
counter recurrence x_(k+1) = x_k ^ V_c, c = 1 + index of the lowest zero bit of k, from x_0 = 0.
The first 2^w words of every dimension are a permutation of 0..2^w - 1, so with
bit_k = word_k < rint(p 2^w) a stream of N = 2^m bits (m <= w) is off from p by at most 1/N.
"""

from functools import lru_cache

import numpy as np

from ..errors import InputError
from ._checks import check_length, check_probability
from .gf2 import is_primitive
from .packed import Bitstreams, pack

__all__ = ["sobol_directions", "sobol_words", "encode_sobol"]


@lru_cache(maxsize=None)
def _polynomials(count: int) -> tuple[int, ...]:
    found: list[int] = []
    candidate = 2
    while len(found) < count:
        if is_primitive(candidate):
            found.append(candidate)
        candidate += 1
    return tuple(found)


def sobol_directions(dimension: int, width: int = 16) -> tuple[int, ...]:
    """Direction numbers V_1..V_width (as w-bit ints) of Sobol `dimension` (0-based)."""
    if not 1 <= width <= 32:
        raise InputError(f"Sobol width must be 1..32 bits, got {width}")
    if dimension < 0:
        raise InputError(f"Sobol dimension must be >= 0, got {dimension}")
    if dimension == 0:
        return tuple(1 << (width - j) for j in range(1, width + 1))
    poly = _polynomials(dimension)[dimension - 1]
    degree = poly.bit_length() - 1
    directions: list[int] = []
    for j in range(1, width + 1):
        if j <= degree:
            directions.append(((1 << j) - 1) << (width - j))
            continue
        value = directions[j - degree - 1]
        value ^= value >> degree
        for k in range(1, degree):
            if poly >> (degree - k) & 1:
                value ^= directions[j - k - 1]
        directions.append(value)
    return tuple(directions)


def sobol_words(dimension: int, length: int, width: int = 16, offset: int = 0) -> np.ndarray:
    """Words x_offset..x_(offset+length-1) (uint64) of one Sobol dimension."""
    index = np.arange(offset, offset + check_length(length), dtype=np.uint64)
    gray = index ^ (index >> np.uint64(1))
    words = np.zeros_like(gray)
    for bit, direction in enumerate(sobol_directions(dimension, width)):
        selected = ((gray >> np.uint64(bit)) & np.uint64(1)).astype(bool)
        words[selected] ^= np.uint64(direction)
    return words


def encode_sobol(probability, length: int, *, dimension: int, width: int = 16, offset: int = 0) -> Bitstreams:
    """Streams bit_k = word_k < rint(p 2^width) for unipolar `probability` (any shape)."""
    thresholds = np.rint(check_probability(probability) * float(1 << width)).astype(np.uint64)
    words = sobol_words(dimension, length, width, offset)
    return pack(words < thresholds[..., None])
