"""LFSR tap table, periods, the vectorised state sequence and bad input."""

import numpy as np
import pytest

from sc_neurocore.bitstream import (
    FORMS,
    TAP_EXPONENTS,
    LfsrSpec,
    default_taps,
    is_primitive,
    lfsr_spec,
    lfsr_states,
    lfsr_step,
    lfsr_step_map,
    mask_to_polynomial,
    primitive_masks,
)
from sc_neurocore.bitstream.gf2 import prime_factors
from sc_neurocore.errors import InputError


def _compose(outer, inner):
    """GF(2) matrices as column tuples: (outer o inner)(e_i) = outer(inner(e_i))."""
    def apply(columns, vector):
        result = 0
        for i, column in enumerate(columns):
            if vector >> i & 1:
                result ^= column
        return result
    return tuple(apply(outer, column) for column in inner)


def _power(columns, exponent):
    result = tuple(1 << i for i in range(len(columns)))
    while exponent:
        if exponent & 1:
            result = _compose(columns, result)
        columns = _compose(columns, columns)
        exponent >>= 1
    return result


def test_table_covers_4_to_32_bits_and_every_entry_is_primitive():
    assert sorted(TAP_EXPONENTS) == list(range(4, 33))
    for width in TAP_EXPONENTS:
        mask = default_taps(width)
        assert mask >> (width - 1) == 1
        assert is_primitive(mask_to_polynomial(mask)), width


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("width", range(4, 33))
def test_clock_map_has_order_exactly_2n_minus_1(width, form):
    # The order of the implemented update as a GF(2) matrix is the period from every non-zero seed.
    step = lfsr_step_map(lfsr_spec(width, form=form))
    identity = tuple(1 << i for i in range(width))
    period = (1 << width) - 1
    assert _power(step, period) == identity
    for q in prime_factors(period):
        assert _power(step, period // q) != identity


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("width", range(4, 19))
def test_simulated_period_visits_every_nonzero_state(width, form):
    spec = lfsr_spec(width, seed=(1 << width) - 3, form=form)
    period = (1 << width) - 1
    states = lfsr_states(spec, period + 1)
    assert np.unique(states[:period]).size == period
    assert states[0] == states[period] == spec.seed
    assert states.min() >= 1


def test_primitive_counts_match_euler_phi_formula():
    # phi(2^n - 1) / n primitive polynomials of degree n.
    for width, expected in {4: 2, 5: 6, 6: 6, 7: 18, 8: 16}.items():
        assert len(primitive_masks(width, expected)) == expected
        with pytest.raises(InputError, match="only"):
            primitive_masks(width, expected + 1)


def test_known_polynomials():
    assert is_primitive(0b10011)  # x^4 + x + 1
    assert not is_primitive(0b11111)  # x^4+x^3+x^2+x+1: irreducible, order 5
    assert not is_primitive(0b10001)  # x^4 + 1 = (x + 1)^4


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("stride", [1, 3, 4])
def test_vectorised_states_equal_the_scalar_recurrence(form, stride):
    specs = [lfsr_spec(w, seed=s, form=form, stride=stride) for w, s in ((13, 77), (13, 4000))]
    specs.append(LfsrSpec(13, primitive_masks(13, 3)[2], 1234, form, stride))
    states = lfsr_states(specs, 333)
    for row, spec in zip(states, specs):
        expected = [spec.seed]
        for _ in range(332):
            expected.append(lfsr_step(spec, expected[-1]))
        assert row.tolist() == expected


def test_known_galois_and_fibonacci_steps():
    galois = lfsr_spec(16, seed=0xACE1, taps=0xB400)
    assert lfsr_step(galois, 0xACE1) == 0xE270  # (0xACE1 >> 1) ^ 0xB400
    fibonacci = lfsr_spec(4, seed=0b1000, form="fibonacci")  # taps 0b1100
    assert lfsr_step(fibonacci, 0b1000) == 0b0001  # shift left, parity(1000 & 1100) = 1 enters at bit 0
    assert lfsr_spec(4, seed=0b1000, stride=2).seed == 0b1000
    assert lfsr_step(lfsr_spec(4, stride=2), 0b0001) == lfsr_step(lfsr_spec(4), lfsr_step(lfsr_spec(4), 1))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"width": 3}, "no known maximal-length polynomial"),
        ({"width": 33}, "no known maximal-length polynomial"),
        ({"width": 8, "seed": 0}, "seed"),
        ({"width": 8, "seed": 256}, "seed"),
        ({"width": 8, "taps": 0b10000001}, "not a maximal-length"),
        ({"width": 8, "taps": 0x1B}, "not a maximal-length"),
        ({"width": 8, "form": "ring"}, "form"),
        ({"width": 8, "stride": 0}, "stride"),
        ({"width": 8, "stride": 5}, "stride"),  # 255 = 3 * 5 * 17 would shorten the period
    ],
)
def test_bad_specs_raise_input_error(kwargs, message):
    with pytest.raises(InputError, match=message):
        lfsr_spec(**kwargs)


@pytest.mark.parametrize("length", [0, -4, 2.5, True])
def test_bad_length_raises(length):
    with pytest.raises(InputError, match="length"):
        lfsr_states(lfsr_spec(8), length)


def test_mixed_widths_rejected():
    with pytest.raises(InputError, match="same width"):
        lfsr_states([lfsr_spec(8), lfsr_spec(9)], 10)
