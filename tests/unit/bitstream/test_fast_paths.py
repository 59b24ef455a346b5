"""The compact (uint16/uint32, table-driven) LFSR and comparator paths against the straightforward ones."""

import numpy as np
import pytest

from sc_neurocore.bitstream import (
    FORMS,
    LfsrSpec,
    allocate_streams,
    comparator_bits,
    comparator_words,
    lfsr_spec,
    lfsr_states,
    lfsr_step,
    lfsr_step_map,
    lfsr_threshold,
    pack,
    primitive_masks,
)
from sc_neurocore.bitstream import allocator, lfsr


def _scalar_states(spec, length):
    states = [spec.seed]
    for _ in range(length - 1):
        states.append(lfsr_step(spec, states[-1]))
    return states


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("width", [4, 8, 9, 16, 17, 24, 32])
def test_vectorised_step_columns_equal_lfsr_step_map(form, width):
    specs = [LfsrSpec(width, mask, 1, form, stride) for mask in primitive_masks(width, 2) for stride in (1, 2, 4)]
    columns = lfsr._step_columns(specs)
    assert columns.tolist() == [list(lfsr_step_map(spec)) for spec in specs]


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("width", [5, 8, 13, 16, 20, 31, 32])
@pytest.mark.parametrize("length", [1, 2, 63, 64, 65, 300])
def test_compact_states_equal_the_scalar_recurrence(form, width, length):
    specs = [LfsrSpec(width, mask, (0x9E3779B9 % ((1 << width) - 1)) + 1 + i, form, stride)
             for i, (mask, stride) in enumerate(zip(primitive_masks(width, 3), (1, 4, 8)))]
    states = lfsr_states(specs, length)
    assert states.dtype == np.uint64
    assert lfsr._compact_states(specs, length).dtype == lfsr.state_dtype(width)
    for row, spec in zip(states, specs):
        assert row.tolist() == _scalar_states(spec, length)


def test_full_period_of_a_16_bit_leap_forward_lfsr():
    spec = lfsr_spec(16, seed=0xACE1, stride=4)
    states = lfsr_states(spec, 1 << 16)  # state_(2^16 - 1) is the seed again
    assert states[0] == states[-1] == 0xACE1 and len(set(states[:-1].tolist())) == (1 << 16) - 1
    assert states[:500].tolist() == _scalar_states(spec, 500)


@pytest.mark.parametrize("width", [8, 12, 16, 20, 32])
@pytest.mark.parametrize("views", [1, 2, 3, 4])
def test_allocation_words_and_encode_equal_the_straightforward_path(width, views):
    allocation = allocate_streams(11, width=width, seed=3, views_per_generator=views)
    length = 257
    states = np.stack([np.array(_scalar_states(spec, length), dtype=np.uint64) for spec in allocation.generators])
    expected = np.stack([
        comparator_words(states[view.generator], width, view.rotation, view.reverse) for view in allocation.streams
    ])
    words = allocation.words(length)
    assert words.dtype == np.uint64 and not words.flags.writeable
    assert np.array_equal(words, expected)
    assert np.array_equal(allocation.states(length), states)
    values = np.random.default_rng(width).uniform(0, 1, (3, len(allocation.streams)))
    values[0, :2] = (0.0, 1.0)
    reference = pack(comparator_bits(expected, lfsr_threshold(values, width)[..., None]))
    assert np.array_equal(allocation.encode(values, length).words, reference.words)
    picked = [4, 0, 7]
    assert np.array_equal(
        allocation.encode(values[:, picked], length, streams=picked).words, reference.words[:, picked]
    )


def test_irregular_hand_built_allocation():
    generators = tuple(lfsr_spec(16, seed=s, stride=4) for s in (5, 999))
    streams = tuple(
        allocator.StreamView(g, r, rev) for g, r, rev in ((1, 8, True), (0, 0, False), (0, 8, True), (1, 0, True))
    )
    allocation = allocator.StreamAllocation(generators, streams)
    states = np.stack([np.array(_scalar_states(spec, 100), dtype=np.uint64) for spec in generators])
    expected = np.stack([comparator_words(states[v.generator], 16, v.rotation, v.reverse) for v in streams])
    assert np.array_equal(allocation.words(100), expected)
