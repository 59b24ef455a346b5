"""Comparator, Sobol and Bernoulli SNGs; unipolar and bipolar coding."""

import numpy as np
import pytest

from sc_neurocore.bitstream import (
    bipolar_to_unipolar,
    comparator_words,
    decode_bipolar,
    decode_unipolar,
    encode_bernoulli,
    encode_lfsr,
    encode_sobol,
    lfsr_spec,
    lfsr_states,
    lfsr_threshold,
    sobol_directions,
    sobol_words,
    unpack,
)
from sc_neurocore.errors import InputError


def _reference_word(state, width, rotation, reverse):
    bits = format(state, f"0{width}b")
    rotated = bits[rotation:] + bits[:rotation]  # MSB-first string: rotate left
    return int(rotated[::-1] if reverse else rotated, 2)


@pytest.mark.parametrize("width, rotation, reverse", [(8, 0, True), (16, 5, False), (16, 8, True), (32, 31, True)])
def test_comparator_words_match_string_reference(width, rotation, reverse):
    states = lfsr_states(lfsr_spec(width, seed=0x1234 % (1 << width) or 1), 200)
    words = comparator_words(states, width, rotation, reverse)
    assert [int(w) for w in words] == [_reference_word(int(s), width, rotation, reverse) for s in states]


def test_bit_k_compares_the_state_before_the_kth_update():
    spec = lfsr_spec(8, seed=200)
    threshold = int(lfsr_threshold(0.5, 8))  # 128
    stream = unpack(encode_lfsr(0.5, 50, spec))
    states = lfsr_states(spec, 50)
    assert stream[0] == (200 <= threshold) and not stream[0]
    assert stream.tolist() == [bool(s <= threshold) for s in states]


@pytest.mark.parametrize("p", [0.0, 0.2, 0.5, 0.77, 1.0])
def test_full_period_holds_exactly_threshold_ones(p):
    spec = lfsr_spec(10, seed=3, stride=4)
    stream = encode_lfsr(p, 1023, spec, rotation=5, reverse=True)
    ones = int(decode_unipolar(stream) * 1023 + 0.5)
    assert ones == int(lfsr_threshold(p, 10))
    assert abs(ones / 1023 - p) <= 0.5 / 1023


def test_threshold_rounding_and_endpoints():
    assert lfsr_threshold([0.0, 0.5, 1.0], 4).tolist() == [0, 8, 15]  # rint(7.5) = 8 (ties to even)
    assert decode_unipolar(encode_lfsr([0.0, 1.0], 100, lfsr_spec(6))).tolist() == [0.0, 1.0]


@pytest.mark.parametrize("bad", [-0.01, 1.01, np.nan])
def test_unipolar_out_of_range_raises(bad):
    with pytest.raises(InputError, match=r"probability must lie in \[0, 1\]"):
        encode_lfsr([0.5, bad], 16, lfsr_spec(8))
    with pytest.raises(InputError):
        encode_bernoulli(bad, 16, seed=1)
    with pytest.raises(InputError):
        encode_sobol(bad, 16, dimension=0)


def test_bipolar_mapping_and_range():
    assert bipolar_to_unipolar([-1.0, 0.0, 0.5, 1.0]).tolist() == [0.0, 0.5, 0.75, 1.0]
    with pytest.raises(InputError, match=r"bipolar value must lie in \[-1, 1\]"):
        bipolar_to_unipolar(1.5)
    stream = encode_lfsr(bipolar_to_unipolar(-0.4), 1023, lfsr_spec(10))
    assert abs(decode_bipolar(stream) - (-0.4)) < 2e-3


def test_non_positive_length_raises():
    with pytest.raises(InputError, match="length"):
        encode_lfsr(0.5, 0, lfsr_spec(8))
    with pytest.raises(InputError, match="length"):
        encode_bernoulli(0.5, -1, seed=1)


def test_bernoulli_is_deterministic_in_its_seed():
    a = encode_bernoulli([0.3, 0.6], 500, seed=11)
    b = encode_bernoulli([0.3, 0.6], 500, seed=11)
    c = encode_bernoulli([0.3, 0.6], 500, seed=12)
    assert np.array_equal(a.words, b.words) and not np.array_equal(a.words, c.words)


@pytest.mark.parametrize("dimension", [0, 1, 2, 5])
def test_sobol_first_2w_words_are_a_permutation(dimension):
    words = sobol_words(dimension, 1 << 10, width=10)
    assert sorted(words.tolist()) == list(range(1 << 10))


def test_sobol_counter_recurrence_matches_gray_code_form():
    directions = sobol_directions(3, 12)
    words = sobol_words(3, 100, width=12)
    x = 0
    for k in range(99):
        lowest_zero = (~k & (k + 1)).bit_length() - 1
        x ^= directions[lowest_zero]
        assert words[k + 1] == x


@pytest.mark.parametrize("length", [16, 64, 256, 1024])
def test_sobol_error_is_at_most_one_over_n(length):
    p = np.linspace(0.0, 1.0, 41)
    for dimension in (0, 1, 4):
        error = np.abs(decode_unipolar(encode_sobol(p, length, dimension=dimension, width=12)) - p)
        assert error.max() <= 1.0 / length + 1e-12
