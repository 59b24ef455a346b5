"""SpikyStateSpace.forward's fast path (real A: _TiledScan + the time-major gate) pinned to the
straightforward path (diagonal_scan + if_running_sum per tile)."""

import numpy as np
import pytest

from sc_neurocore.transformers import SpikyStateSpace
from sc_neurocore.transformers import ssm as ssm_module
from sc_neurocore.models.integrate_and_fire import if_running_sum, if_running_sum_time_major


def both_paths(ssm, x):
    fast = ssm.forward(x)
    fast_h, fast_v = ssm._h, ssm._v
    ssm.reset()
    plain = ssm._forward_general(ssm._sequence(x), np.empty_like(fast))
    return fast, plain, (fast_h, ssm._h), (fast_v, ssm._v)


@pytest.mark.parametrize(
    "shape, threshold, dt, tile",
    [
        ((4100, 7), 1.0, 0.01, 2048),  # several tiles, ragged last tile, threshold 1 (no divide)
        ((2, 700, 5), 0.3, 0.1, 64),  # batch, many small tiles
        ((3, 333, 4), 0.7, 0.05, 2048),  # batch, length not a multiple of the chunk
        ((500, 4), 0.05, 0.5, 2048),  # inputs above the threshold: the gate falls back
        ((37, 3), 1.0, 0.01, 16),  # one-chunk tiles
        ((2500, 3), 0.5, 0.05, 1001),  # a tile that is not a multiple of the chunk
        ((1, 9000, 2), 1.0, 0.02, 4096),  # batch of one, many super-chunks per tile
        ((1, 3), 1.0, 0.01, 2048),
    ],
)
def test_fast_forward_equals_straightforward(monkeypatch, shape, threshold, dt, tile):
    monkeypatch.setattr(ssm_module, "TILE", tile)
    ssm = SpikyStateSpace(d_model=shape[-1], d_state=12, threshold=threshold, dt=dt)
    x = np.random.default_rng(len(shape) * 100 + shape[-2]).normal(0.3, 1.0, shape)
    fast, plain, (h_fast, h_plain), (v_fast, v_plain) = both_paths(ssm, x)
    assert np.array_equal(fast, plain)
    assert np.max(np.abs(h_fast - h_plain)) < 1e-12
    assert np.max(np.abs(v_fast - v_plain)) < 1e-9
    if threshold == 0.05:
        assert fast.sum() > 0


def test_fast_forward_float32_and_repeat_calls_reuse_buffers():
    ssm = SpikyStateSpace(d_model=6, d_state=16, threshold=0.5, dt=0.05)
    x = np.random.default_rng(3).random((3000, 6)).astype(np.float32)
    first = ssm.forward(x)
    assert first.dtype == np.float32
    assert np.array_equal(ssm.forward(x), first)  # reused working arrays give the same result
    ssm.forward(x[:100])  # a shorter call in between
    _, plain, _, _ = both_paths(ssm, x)
    assert np.array_equal(first, plain)
    assert 0.01 < first.mean() < 0.9


def test_complex_state_uses_the_straightforward_path():
    ssm = SpikyStateSpace(d_model=3, d_state=6, init="s4d-lin", threshold=0.5, dt=0.05)
    x = np.random.default_rng(2).random((100, 3))
    spikes = ssm.forward(x)
    ssm.reset()
    stepped = np.array([ssm.step(x_t)[0] for x_t in x])
    assert np.array_equal(spikes, stepped)


@pytest.mark.parametrize("threshold", [1.0, 0.4])
def test_time_major_gate_equals_if_running_sum(threshold):
    rng = np.random.default_rng(9)
    blocks, k, rows, length = 6, 16, 5, 90
    drive = rng.normal(0.05, 0.2, (2, blocks * k, rows))
    total = np.cumsum(drive, axis=1) - 0.5  # starts negative: counts are floored at zero
    out = np.empty((2, length, rows), np.float32)
    v = if_running_sum_time_major(
        total.reshape(2, blocks, k, rows), length, threshold, out, np.empty((2, blocks, k, rows))
    )
    expected, v_expected = if_running_sum(total[:, :length], threshold, axis=1)
    assert np.array_equal(out, expected)
    assert np.array_equal(v, v_expected)
    # an input above the threshold: the fallback gives the general result too
    total[:, 40:] += 3 * threshold
    v = if_running_sum_time_major(
        total.reshape(2, blocks, k, rows), length, threshold, out, np.empty((2, blocks, k, rows))
    )
    expected, v_expected = if_running_sum(total[:, :length], threshold, axis=1)
    assert expected.max() == 1 and np.array_equal(out, expected)
    assert np.array_equal(v, v_expected)
