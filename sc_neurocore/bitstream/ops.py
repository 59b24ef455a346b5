"""Stochastic arithmetic on packed bitstreams.

For independent streams a, b with P(1) = p_a, p_b (x_a, x_b bipolar):

* AND:  P(a & b) = p_a p_b                              (unipolar multiply)
* XNOR: P(a == b) = p_a p_b + (1-p_a)(1-p_b), i.e. x = x_a x_b   (bipolar multiply)
* MUX:  P(s ? b : a) = (1-p_s) p_a + p_s p_b; with p_s = 1/2 the scaled sum (p_a + p_b) / 2
* popcount / parallel counter: the exact number of ones, so sums need no scaling
* APC (approximate parallel counter): each group of four inputs (a, b, c, d) counts as
  2 ((a | b) + (c & d)); E[a|b] + E[c&d] = 2p when all four have probability p, so it is unbiased
  for equal inputs and saves the first adder layer in hardware.

An SC estimate from N bits of a stream with P(1) = p has standard deviation sqrt(p (1-p) / N).
"""

import numpy as np

from ..errors import InputError
from .packed import Bitstreams, pack, popcount, unpack

__all__ = [
    "sc_and",
    "sc_xnor",
    "sc_mux",
    "mux_add",
    "parallel_count",
    "apc_count",
    "dot",
]


def _same_length(*streams: Bitstreams) -> int:
    lengths = {s.length for s in streams}
    if len(lengths) != 1:
        raise InputError(f"bitstreams of one operation must have the same length, got {sorted(lengths)}")
    return lengths.pop()


def sc_and(a: Bitstreams, b: Bitstreams) -> Bitstreams:
    """Unipolar multiply: bitwise AND (shapes broadcast)."""
    return Bitstreams(a.words & b.words, _same_length(a, b))


def sc_xnor(a: Bitstreams, b: Bitstreams) -> Bitstreams:
    """Bipolar multiply: bitwise XNOR, padding cleared."""
    result = Bitstreams(~(a.words ^ b.words), _same_length(a, b))
    return Bitstreams(result.words & result.padding_mask(), result.length)


def sc_mux(a: Bitstreams, b: Bitstreams, select: Bitstreams) -> Bitstreams:
    """Two-input MUX: bit from `a` where `select` is 0, from `b` where it is 1."""
    length = _same_length(a, b, select)
    return Bitstreams((a.words & ~select.words) | (b.words & select.words), length)


def mux_add(streams: Bitstreams, select) -> Bitstreams:
    """M-input MUX: bit k comes from stream select[k] of the (..., M) streams; P = mean of the inputs.

    `select` is an integer array (N,) (or broadcastable (..., N)) with values in 0..M-1, uniform for
    an unbiased scaled sum.
    """
    inputs = streams.shape[-1] if streams.shape else 0
    select = np.asarray(select)
    if select.shape[-1:] != (streams.length,) or select.min() < 0 or select.max() >= inputs:
        raise InputError(f"mux_add select must be N={streams.length} indices in 0..{inputs - 1}")
    one_hot = pack(select[..., None, :] == np.arange(inputs)[:, None])
    return Bitstreams(np.bitwise_or.reduce(streams.words & one_hot.words, axis=-2), streams.length)


def parallel_count(streams: Bitstreams) -> np.ndarray:
    """Per-cycle count of ones across the last stream axis: (..., M) streams -> (..., N) ints."""
    return unpack(streams).sum(axis=-2, dtype=np.int64)


def apc_count(streams: Bitstreams) -> np.ndarray:
    """Total count over N cycles of an approximate parallel counter over the last stream axis (M).

    Inputs are taken in groups of four as 2 (popcount(a | b) + popcount(c & d)); the M mod 4
    remaining inputs are counted exactly.
    """
    words = streams.words
    groups = words.shape[-2] // 4
    quads = words[..., : groups * 4, :].reshape(words.shape[:-2] + (groups, 4, words.shape[-1]))
    approximate = np.bitwise_count(quads[..., 0, :] | quads[..., 1, :]).astype(np.int64)
    approximate += np.bitwise_count(quads[..., 2, :] & quads[..., 3, :])
    exact = np.bitwise_count(words[..., groups * 4 :, :]).sum(axis=(-2, -1), dtype=np.int64)
    return 2 * approximate.sum(axis=(-2, -1)) + exact


def dot(x: Bitstreams, w: Bitstreams, *, bipolar: bool = False, approximate: bool = False) -> np.ndarray:
    """SC dot product over the last stream axis (M): estimate of sum_i x_i w_i.

    Unipolar: AND products, count C of ones, estimate C / N. Bipolar: XNOR products,
    estimate sum_i (2 C_i / N - 1) = 2 C / N - M. `approximate` counts with the APC instead.
    """
    products = sc_xnor(x, w) if bipolar else sc_and(x, w)
    if approximate:
        count = apc_count(products)
    else:
        count = popcount(products).sum(axis=-1)
    estimate = count / products.length
    return 2.0 * estimate - products.shape[-1] if bipolar else estimate
