"""SCC, the correlated same-generator result, the allocator and SC error statistics."""

import numpy as np
import pytest

from sc_neurocore.bitstream import (
    MAX_VIEWS,
    allocate_streams,
    decode_unipolar,
    encode_bernoulli,
    encode_lfsr,
    lfsr_spec,
    pack,
    sc_and,
    scc,
    unpack,
)
from sc_neurocore.errors import InputError


def test_scc_extremes():
    a = encode_bernoulli(0.4, 2000, seed=1)
    assert scc(a, a) == pytest.approx(1.0)
    assert scc(a, pack(~unpack(a))) == pytest.approx(-1.0)
    assert scc(a, pack(np.ones(2000, bool))) == 0.0  # constant stream: undefined, reported as 0
    b = encode_bernoulli(0.7, 2000, seed=2)
    assert abs(scc(a, b)) < 0.1


def test_same_generator_streams_give_the_min_like_result():
    spec = lfsr_spec(16, seed=0x1D2F, stride=4)
    a, b = encode_lfsr(0.3, 4096, spec), encode_lfsr(0.7, 4096, spec)
    product = decode_unipolar(sc_and(a, b))
    assert product == min(decode_unipolar(a), decode_unipolar(b))  # every 1 of a is a 1 of b
    assert product == pytest.approx(0.3, abs=0.03) and abs(product - 0.21) > 0.08  # not p_a p_b
    assert scc(a, b) > 0.95


def test_allocated_streams_multiply_correctly_and_are_decorrelated():
    allocation = allocate_streams(32, seed=9, views_per_generator=2)
    p = np.random.default_rng(3).uniform(0.1, 0.9, 32)
    streams = allocation.encode(p, 4096)
    i, j = np.triu_indices(32, 1)
    assert np.mean(np.abs(scc(streams[i], streams[j]))) <= 0.05
    product = decode_unipolar(sc_and(streams[0], streams[1]))  # same generator, different views
    assert product == pytest.approx(p[0] * p[1], abs=0.03)


def test_allocation_is_distinct_and_deterministic():
    allocation = allocate_streams(12, width=12, seed=4, views_per_generator=3)
    assert len(allocation.generators) == 4
    configs = {(allocation.generators[v.generator], v.rotation, v.reverse) for v in allocation.streams}
    assert len(configs) == 12
    assert len({g.taps for g in allocation.generators}) == 4
    assert allocate_streams(12, width=12, seed=4, views_per_generator=3) == allocation
    assert allocate_streams(12, width=12, seed=5, views_per_generator=3) != allocation
    assert allocation.generators[0].stride == 4


def test_encode_shapes_and_stream_subsets():
    allocation = allocate_streams(6, width=10, seed=1)
    batch = allocation.encode(np.full((3, 6), 0.5), 100)
    assert batch.shape == (3, 6)
    subset = allocation.encode([0.2, 0.9], 100, streams=[4, 1])
    assert np.array_equal(subset.words[0], allocation.encode(np.full(6, 0.2), 100).words[4])
    bipolar = allocation.encode(np.zeros(6), 1023, bipolar=True)
    assert np.allclose(decode_unipolar(bipolar), 0.5, atol=0.05)
    with pytest.raises(InputError, match="last axis"):
        allocation.encode([0.5], 100)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"count": 0}, "count"),
        ({"count": 3, "views_per_generator": MAX_VIEWS + 1}, "views_per_generator"),
        ({"count": 9, "width": 4, "views_per_generator": 4}, "only 2 maximal-length"),
        ({"count": 3, "width": 40}, "no known maximal-length"),
    ],
)
def test_bad_allocations_raise(kwargs, message):
    with pytest.raises(InputError, match=message):
        allocate_streams(**kwargs)


@pytest.mark.parametrize("length", [64, 1024])
def test_independent_product_error_follows_binomial_theory(length):
    trials, pa, pb = 3000, 0.6, 0.7
    a = encode_bernoulli(np.full(trials, pa), length, seed=1)
    b = encode_bernoulli(np.full(trials, pb), length, seed=2)
    error = decode_unipolar(sc_and(a, b)) - pa * pb
    theory = np.sqrt(pa * pb * (1 - pa * pb) / length)
    assert np.sqrt(np.mean(error**2)) / theory == pytest.approx(1.0, abs=0.1)


def test_allocated_lfsr_product_error_follows_binomial_theory():
    trials, pa, pb, length = 512, 0.3, 0.6, 1024
    allocation = allocate_streams(2 * trials, seed=5)
    streams = allocation.encode(np.tile([pa, pb], trials), length)
    error = decode_unipolar(sc_and(streams[0::2], streams[1::2])) - pa * pb
    theory = np.sqrt(pa * pb * (1 - pa * pb) / length)
    assert np.sqrt(np.mean(error**2)) / theory == pytest.approx(1.0, abs=0.2)
