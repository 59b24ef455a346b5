"""The neuron step functions and their loop-free multi-step forms."""

import numpy as np
import pytest

from sc_neurocore.models.integrate_and_fire import if_constant_drive, if_multistep, if_running_sum, if_step
from sc_neurocore.models.lif import lif_multistep, lif_step, ternary_lif_multistep, ternary_lif_step


def loop(step, x_seq, v, *params):
    spikes = []
    for x in x_seq:
        s, v = step(x, v, *params)
        spikes.append(s)
    return np.array(spikes), v


@pytest.mark.parametrize("v_reset", [0.0, None, -0.25])
def test_lif_multistep_is_the_step_loop_bit_for_bit(v_reset):
    x = np.random.default_rng(0).normal(0.8, 1.0, (6, 50)).astype(np.float32)
    v0 = np.zeros(50, np.float32)
    expected, v_end = loop(lif_step, x, v0, np.float32(2.0), np.float32(1.0), v_reset)
    spikes, v = lif_multistep(x, 2.0, 1.0, v_reset)
    assert spikes.dtype == np.float32
    assert np.array_equal(spikes, expected)
    assert np.array_equal(v, v_end)
    assert 0 < spikes.mean() < 1


def test_lif_fires_on_reaching_the_threshold_and_resets_hard():
    # h = v + (x - v) / 2: inputs 2 then 1 give h = 1 (fires, v = 0), then h = 0.5
    spikes, v = lif_multistep(np.array([[2.0], [1.0]]), tau=2.0, v_threshold=1.0)
    assert spikes[:, 0].tolist() == [1.0, 0.0]
    assert v.tolist() == [0.5]


def test_ternary_neuron_fires_both_signs_and_resets():
    x = np.array([2.0, -2.0, 1.0, 1.0, 1.0, -0.5])
    spikes, _ = ternary_lif_multistep(x[:, None])
    # h: 1 (+1, reset), -1 (-1, reset), 0.5, 0.75, 0.875, 0.1875
    assert spikes[:, 0].tolist() == [1, -1, 0, 0, 0, 0]
    s, v = ternary_lif_step(np.array([0.5]), np.array([0.875]))
    assert s.tolist() == [0] and v.tolist() == [0.6875]


def test_if_multistep_matches_the_loop_including_backlog_and_negative_input():
    rng = np.random.default_rng(1)
    x = rng.normal(0.1, 0.4, (3000, 7))
    x[100, 2] = 3.7  # a backlog of three extra spikes
    x[2000:2005, 4] = 1.5
    expected, v_end = loop(if_step, x, np.zeros(7), 1.0)
    spikes, v = if_multistep(x, 1.0)
    assert np.array_equal(spikes, expected)
    assert np.allclose(v, v_end, atol=1e-9)
    assert spikes[100:103, 2].tolist() == [1, 1, 1]  # the fallback path ran


def test_if_multistep_is_exact_on_integers_and_other_axes():
    x = np.random.default_rng(2).integers(-2, 5, (4, 500))
    expected, v_end = loop(if_step, x.T.astype(float), np.zeros(4), 3.0)
    spikes, v = if_multistep(x, 3.0, axis=1)
    assert np.array_equal(spikes.T, expected)
    assert np.array_equal(v, v_end)


def test_if_running_sum_continues_from_a_membrane():
    x = np.random.default_rng(3).normal(0.2, 0.3, (200, 5))
    v0 = np.full(5, 0.9)
    expected, _ = loop(if_step, x, v0, 1.0)
    spikes, _ = if_running_sum(v0 + np.cumsum(x, axis=0), 1.0)
    assert np.array_equal(spikes, expected)


def test_constant_drive_closed_form_equals_the_loop_on_exact_values():
    drive = np.array([0.0, 0.75, 2.0, 5.0, 9.0, -3.0, 12.5]) * 0.5
    steps, threshold = 8, 0.5
    expected, _ = loop(if_step, np.tile(np.maximum(drive, 0) / steps, (steps, 1)), np.zeros(7), threshold)
    assert np.array_equal(if_constant_drive(drive, steps, threshold), expected)
    signed, _ = loop(if_step, np.tile(np.abs(drive) / steps, (steps, 1)), np.zeros(7), threshold)
    assert np.array_equal(if_constant_drive(drive, steps, threshold, signed=True), signed * np.sign(drive))
    # at most one spike per step: a drive of 10 thresholds saturates at one spike every step
    assert if_constant_drive(np.array([10.0]), 4, 1.0)[:, 0].tolist() == [1, 1, 1, 1]
