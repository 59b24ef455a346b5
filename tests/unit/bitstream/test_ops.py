"""Packed arithmetic against straightforward boolean references."""

import numpy as np
import pytest

from sc_neurocore.bitstream import (
    Bitstreams,
    apc_count,
    dot,
    encode_bernoulli,
    mux_add,
    pack,
    parallel_count,
    popcount,
    sc_and,
    sc_mux,
    sc_xnor,
    unpack,
    word_count,
)
from sc_neurocore.errors import InputError

RNG = np.random.default_rng(2024)


def _bits(*shape):
    return RNG.random(shape) < 0.4


@pytest.mark.parametrize("length", [1, 63, 64, 65, 200])
def test_pack_round_trip_and_popcount(length):
    bits = _bits(3, 2, length)
    streams = pack(bits)
    assert streams.words.shape == (3, 2, word_count(length))
    assert np.array_equal(unpack(streams), bits)
    assert np.array_equal(popcount(streams), bits.sum(axis=-1))


def test_gates_match_boolean_reference_and_keep_padding_zero():
    a, b, s = _bits(5, 100), _bits(5, 100), _bits(5, 100)
    pa, pb, ps = pack(a), pack(b), pack(s)
    assert np.array_equal(unpack(sc_and(pa, pb)), a & b)
    xnor = sc_xnor(pa, pb)
    assert np.array_equal(unpack(xnor), a == b)
    assert np.array_equal(popcount(xnor), (a == b).sum(axis=-1))  # padding bits did not count
    assert np.array_equal(unpack(sc_mux(pa, pb, ps)), np.where(s, b, a))


def test_mux_add_selects_per_cycle():
    inputs = _bits(4, 6, 130)
    select = RNG.integers(0, 6, size=130)
    out = unpack(mux_add(pack(inputs), select))
    assert np.array_equal(out, inputs[:, select, np.arange(130)])
    with pytest.raises(InputError, match="select"):
        mux_add(pack(inputs), np.full(130, 6))


def test_counters():
    streams = _bits(3, 10, 90)
    packed = pack(streams)
    assert np.array_equal(parallel_count(packed), streams.sum(axis=-2))
    a, b, c, d = (streams[:, i] for i in range(4))
    e, f, g, h = (streams[:, i] for i in range(4, 8))
    expected = 2 * ((a | b).sum(-1) + (c & d).sum(-1) + (e | f).sum(-1) + (g & h).sum(-1))
    expected += streams[:, 8:].sum(axis=(-2, -1))
    assert np.array_equal(apc_count(packed), expected)


def test_apc_is_unbiased_for_equal_probabilities():
    streams = encode_bernoulli(np.full((8, 16), 0.3), 4096, seed=5)
    exact = popcount(streams).sum(axis=-1)
    assert abs(apc_count(streams).mean() / exact.mean() - 1.0) < 0.01


def test_dot_counts_equal_the_boolean_computation():
    x, w = _bits(7, 12, 300), _bits(7, 12, 300)
    estimate = dot(pack(x), pack(w))
    assert np.allclose(estimate, (x & w).sum(axis=(-2, -1)) / 300)
    bipolar = dot(pack(x), pack(w), bipolar=True)
    assert np.allclose(bipolar, (2 * (x == w).sum(axis=-1) / 300 - 1).sum(axis=-1))


def test_dot_estimates_the_real_dot_product():
    x = RNG.uniform(0, 1, 32)
    w = RNG.uniform(0, 1, 32)
    sx, sw = encode_bernoulli(x, 1 << 14, seed=1), encode_bernoulli(w, 1 << 14, seed=2)
    assert abs(dot(sx, sw) - x @ w) < 0.1
    assert abs(dot(sx, sw, approximate=True) - x @ w) < 0.5


def test_length_mismatch_and_bad_words_raise():
    with pytest.raises(InputError, match="same length"):
        sc_and(pack(_bits(2, 10)), pack(_bits(2, 11)))
    with pytest.raises(InputError, match="uint64"):
        Bitstreams(np.zeros((2, 1), dtype=np.int64), 10)
    with pytest.raises(InputError, match="words"):
        Bitstreams(np.zeros((2, 2), dtype=np.uint64), 10)
