"""SpikyStateSpace: HiPPO initialisation, zero-order hold, parallel scan == loop, the spike gate."""

import numpy as np
import pytest

from sc_neurocore.errors import InputError
from sc_neurocore.transformers import SpikyStateSpace
from sc_neurocore.transformers import ssm as ssm_module
from sc_neurocore.models.ssm import diagonal_scan, discretize_zoh, hippo_diagonal


def loop_states(a, u, h0):
    h, states = h0.copy(), []
    for u_t in np.moveaxis(u, -1, 0):
        h = a.reshape((-1,) + (1,) * (u.ndim - 2)) * h + u_t
        states.append(h)
    return np.moveaxis(np.array(states), 0, -1)


def test_hippo_and_zero_order_hold():
    assert hippo_diagonal(3).tolist() == [-1.0, -2.0, -3.0]
    assert np.allclose(hippo_diagonal(3, "s4d-lin"), [-0.5, -0.5 + 1j * np.pi, -0.5 + 2j * np.pi])
    a, b = np.array([-2.0]), np.array([[3.0]])
    a_bar, b_bar = discretize_zoh(a, b, 0.1)
    assert np.isclose(a_bar[0], np.exp(-0.2)) and np.isclose(b_bar[0, 0], (np.exp(-0.2) - 1) / -2.0 * 3.0)


@pytest.mark.parametrize("init", ["s4d-real", "s4d-lin"])
@pytest.mark.parametrize("length", [1, 17, 1000, 4099])
def test_scan_equals_loop(init, length):
    rng = np.random.default_rng(length)
    a, b = discretize_zoh(hippo_diagonal(8, init), rng.normal(size=(8, 3)), 0.05)
    u = np.einsum("nd,bld->nbl", b, rng.normal(size=(2, length, 3)))
    h0 = rng.normal(size=(8, 2)).astype(a.dtype)
    expected = loop_states(a, u, h0)
    states, last = diagonal_scan(a, u, h0)
    assert np.max(np.abs(states - expected)) < 1e-9
    assert np.max(np.abs(last - expected[..., -1])) < 1e-9
    sums, _ = diagonal_scan(a, u, h0, cumulative=True)
    assert np.max(np.abs(sums - np.cumsum(expected, axis=-1))) < 1e-9 * max(1, length)


def test_scan_is_stable_over_1e5_steps_where_cumprod_underflows():
    a = np.exp(0.1 * hippo_diagonal(16))  # a^1e5 underflows to 0 many times over
    u = np.random.default_rng(0).normal(size=(16, 100_000))
    states, last = diagonal_scan(a, u)
    assert np.all(np.isfinite(states))
    expected = loop_states(a, u[:, -200:], loop_states(a, u[:, :-200], np.zeros(16))[:, -1])
    assert np.max(np.abs(states[:, -200:] - expected)) < 1e-9
    assert np.max(np.abs(last - expected[:, -1])) < 1e-9


@pytest.mark.parametrize("init", ["s4d-real", "s4d-lin"])
def test_forward_equals_step_by_step(init):
    ssm = SpikyStateSpace(d_model=6, d_state=12, threshold=0.5, dt=0.05, init=init)
    x = np.random.default_rng(4).random((300, 6))
    spikes = ssm.forward(x)
    ssm.reset()
    stepped = [ssm.step(x_t) for x_t in x]
    assert np.array_equal(spikes, np.array([s for s, _ in stepped]))
    assert 0.01 < spikes.mean() < 0.9
    ssm.reset()
    assert np.max(np.abs(ssm.readout(x) - np.array([y for _, y in stepped]))) < 1e-9


def test_forward_in_tiles_carries_state_and_membrane(monkeypatch):
    monkeypatch.setattr(ssm_module, "TILE", 64)
    ssm = SpikyStateSpace(d_model=3, d_state=8, threshold=0.3, dt=0.1)
    x = np.random.default_rng(8).random((2, 300, 3))
    spikes = ssm.forward(x)
    ssm.reset()
    stepped = np.array([ssm.step(x[:, t])[0] for t in range(300)])
    assert np.array_equal(spikes, stepped.swapaxes(0, 1))
    assert spikes.mean() > 0.05


def test_gate_fallback_when_an_input_exceeds_the_threshold():
    ssm = SpikyStateSpace(d_model=4, d_state=8, threshold=0.05, dt=0.5)
    x = np.random.default_rng(5).normal(0.5, 2.0, (400, 4))
    spikes = ssm.forward(x)
    ssm.reset()
    stepped = np.array([ssm.step(x_t)[0] for x_t in x])
    assert np.array_equal(spikes, stepped)
    ssm.reset()
    assert np.abs(ssm.readout(x)).max() > 0.05  # the backlog path really ran


def test_batch_and_continuation():
    ssm = SpikyStateSpace(d_model=5, d_state=10)
    x = np.random.default_rng(6).random((3, 120, 5)).astype(np.float32)
    batched = ssm.forward(x)
    assert batched.shape == (3, 120, 5) and batched.dtype == np.float32
    assert np.array_equal(batched[2], ssm.forward(x[2]))
    # forward keeps its final state: stepping on continues the same sequence
    ssm.forward(x[0, :100])
    continued = np.array([ssm.step(x_t)[0] for x_t in x[0, 100:]])
    assert np.array_equal(continued, ssm.forward(x[0])[100:])
    spikes, y = ssm.step(np.ones((3, 5)))
    assert spikes.shape == y.shape == (3, 5)


def test_seeded_and_errors():
    assert np.array_equal(SpikyStateSpace(4, seed=3).B, SpikyStateSpace(4, seed=3).B)
    assert not np.array_equal(SpikyStateSpace(4, seed=3).B, SpikyStateSpace(4, seed=4).B)
    with pytest.raises(InputError, match="init must be one of"):
        SpikyStateSpace(4, init="legs")
    with pytest.raises(InputError, match="dt"):
        SpikyStateSpace(4, dt=0.0)
    with pytest.raises(InputError, match="d_state"):
        SpikyStateSpace(4, d_state=-1)
    with pytest.raises(InputError, match="last dimension"):
        SpikyStateSpace(4).forward(np.zeros((10, 3)))
    with pytest.raises(InputError, match="dimensions"):
        SpikyStateSpace(4).step(np.zeros((1, 2, 4)))
