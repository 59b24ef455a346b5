"""The one integer LIF step against the update equations written out, in each form its callers use."""

import numpy as np
import pytest

from sc_neurocore.models.fixed_point import fixed_lif_step, power_of_two_shift, quantise_power_of_two, saturate

RNG = np.random.default_rng(7)
V = RNG.integers(-40000, 40000, (4, 6))
DRIVE = RNG.integers(-30000, 30000, (4, 6))
LEAK = RNG.integers(0, 1 << 16, 6)


def test_euler_form_with_saturation_and_hard_reset():
    spikes, v = fixed_lif_step(DRIVE, V, LEAK, 900, state_bits=16)
    u = np.clip(V - ((LEAK * V) >> 16) + DRIVE, -(1 << 15), (1 << 15) - 1)
    np.testing.assert_array_equal(spikes, u > 900)
    np.testing.assert_array_equal(v, np.where(u > 900, 0, u))
    assert spikes.any() and not spikes.all()


def test_euler_form_with_leak_potential_and_subtractive_reset():
    spikes, v = fixed_lif_step(DRIVE, V, LEAK, 500, v_leak=-3, state_bits=14, spike_ge=True, reset_subtract=True)
    u = np.clip(V - ((LEAK * (V + 3)) >> 16) + DRIVE, -(1 << 13), (1 << 13) - 1)
    np.testing.assert_array_equal(spikes, u >= 500)
    np.testing.assert_array_equal(v, np.where(u >= 500, np.clip(u - 500, -(1 << 13), (1 << 13) - 1), u))


def test_decay_input_form_halves_with_one_shift():
    """k = 1/2 as leak 1 over one bit: u = v + ((x - v) >> 1) = (v + x) >> 1, the variant cores' LIF."""
    spikes, v = fixed_lif_step(DRIVE, V, 1, 700, leak_bits=1, decay_input=True, spike_ge=True)
    u = (V + DRIVE) >> 1
    np.testing.assert_array_equal(spikes, u >= 700)
    np.testing.assert_array_equal(v, np.where(u >= 700, 0, u))


def test_without_leak_it_is_integrate_and_fire():
    spikes, v = fixed_lif_step(DRIVE, V, 0, 1000, spike_ge=True, reset_subtract=True)
    np.testing.assert_array_equal(spikes, V + DRIVE >= 1000)
    np.testing.assert_array_equal(v, V + DRIVE - 1000 * (V + DRIVE >= 1000))


def test_without_threshold_it_is_a_leaky_integrator():
    out, v = fixed_lif_step(DRIVE, V, LEAK, state_bits=16)
    np.testing.assert_array_equal(out, v)
    np.testing.assert_array_equal(v, saturate(V - ((LEAK * V) >> 16) + DRIVE, 16))


@pytest.mark.parametrize("peak, bits, shift", [(1.0, 8, 6), (0.99, 8, 7), (127.0, 8, 0), (200.0, 8, -1)])
def test_power_of_two_shift_is_the_largest_that_fits(peak, bits, shift):
    values = np.array([0.5, -peak])
    assert power_of_two_shift(values, bits) == shift
    q, f = quantise_power_of_two(values, bits)
    assert f == shift and np.abs(q).max() <= (1 << (bits - 1)) and np.abs(values * 2.0 ** (shift + 1)).max() > 127


def test_all_zeros_take_the_given_shift():
    assert power_of_two_shift(np.zeros(3), 8) == 0
    assert power_of_two_shift(np.zeros(3), 8, zero_shift=15) == 15


def test_the_quantisation_aware_euler_lif_is_the_integer_step_on_a_grid():
    """Training's grid arithmetic (float32 membrane, q = 2^-6) gives fixed_lif_step's integers times q."""
    from sc_neurocore.models.lif import euler_lif_step

    q, leak = 2.0**-6, LEAK[:4]
    v_int, drive = RNG.integers(-3000, 3000, (2, 4)), RNG.integers(-3000, 3000, (5, 2, 4))
    v = (v_int * q).astype(np.float32)
    for x_int in drive:
        spikes, v, u = euler_lif_step((x_int * q).astype(np.float32), v, (leak / 2.0**16).astype(np.float32),
                                      np.float32(40 * q), grid=q, state_bits=12)
        int_spikes, v_int = fixed_lif_step(x_int, v_int, leak, 40, state_bits=12)
        np.testing.assert_array_equal(spikes, int_spikes)
        np.testing.assert_array_equal(v, v_int * q)
