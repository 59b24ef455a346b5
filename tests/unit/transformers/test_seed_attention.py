"""SpikeDrivenAttention (seed API): shapes, real head split, the maths, op counts, errors."""

import numpy as np
import pytest

from sc_neurocore.errors import InputError
from sc_neurocore.transformers import SpikeDrivenAttention
from sc_neurocore.models.integrate_and_fire import if_step


def reference(block, x):
    """Explicit loops: IF neurons step by step, one head at a time, popcounts of ANDs."""
    d, steps = block.head_dim, block.T
    out = np.zeros((x.shape[0], block.embed_dim))
    for head in range(block.num_heads):
        cols = slice(head * d, (head + 1) * d)
        p_q, p_k, p_v = (x @ w[:, cols] for w in (block.W_q, block.W_k, block.W_v))
        v_q, v_k, v_v = np.zeros_like(p_q), np.zeros_like(p_k), np.zeros_like(p_v)
        for _ in range(steps):
            q, v_q = if_step(np.maximum(p_q, 0) / steps, v_q, block.threshold)
            k, v_k = if_step(np.maximum(p_k, 0) / steps, v_k, block.threshold)
            v_mag, v_v = if_step(np.abs(p_v) / steps, v_v, block.threshold)
            v = v_mag * np.sign(p_v)
            for i in range(x.shape[0]):
                for j in range(x.shape[0]):
                    count = np.sum(np.logical_and(q[i] == 1, k[j] == 1))
                    out[i, cols] += count * v[j]
    return out @ block.W_out / (steps * np.sqrt(d))


def dyadic_block(**kwargs):
    """Weights and inputs on a binary grid, so the loop and the closed form agree exactly."""
    block = SpikeDrivenAttention(**kwargs)
    for name in ("W_q", "W_k", "W_v", "W_out"):
        setattr(block, name, np.round(getattr(block, name) * 32) / 32)
    return block


def test_forward_equals_explicit_per_head_loops():
    block = dyadic_block(embed_dim=12, num_heads=3, T=4, threshold=0.5)
    x = np.round(np.random.default_rng(0).random((5, 12)) * 16) / 16
    out = block.forward(x)
    assert np.allclose(out, reference(block, x), rtol=0, atol=1e-12)
    assert block.op_counts["attention"].accumulates > 0


def test_heads_are_independent():
    block = dyadic_block(embed_dim=8, num_heads=2, T=4, threshold=0.5)
    x = np.random.default_rng(1).random((6, 8))
    before = block.forward(x) @ np.linalg.pinv(block.W_out)
    block.W_k[:, 4:] = -block.W_k[:, 4:]  # only head 1 sees a different K
    after = block.forward(x) @ np.linalg.pinv(block.W_out)
    assert np.allclose(before[:, :4], after[:, :4])
    assert not np.allclose(before[:, 4:], after[:, 4:])


def test_shapes_and_batching():
    block = SpikeDrivenAttention(embed_dim=16, num_heads=4, T=8)
    x = np.random.default_rng(2).random((3, 7, 16)).astype(np.float32)
    batched = block.forward(x)
    assert batched.shape == (3, 7, 16)
    assert np.allclose(batched[1], block.forward(x[1]))
    assert block.forward(x[0, 0]).shape == (16,)
    assert np.allclose(block.forward(x[0, 0]), block.forward(x[0, :1])[0])


def test_op_counts_against_a_hand_count():
    block = SpikeDrivenAttention(embed_dim=2, num_heads=1, T=2, threshold=1.0)
    block.W_q = block.W_k = block.W_v = np.eye(2) * 2.0
    block.W_out = np.eye(2)
    x = np.array([[1.0, 0.0], [1.0, 1.0]])
    block.forward(x)
    # drive 2x per step = 1 threshold: every active channel spikes at both steps
    # Q = K = V = [[1, 0], [1, 1]] each step. Popcounts per step: channel 0: 2 x 2, channel 1: 1 x 1 -> 5
    # A = [[1, 1], [1, 2]]; gated additions: every A entry non-zero (2 per column) x V row nnz (1, 2) -> 6
    counts = block.op_counts
    assert counts["attention"].multiplies == 0 == block.num_multiply_ops
    assert counts["attention"].accumulates == 2 * (5 + 6) == block.num_accumulate_ops
    assert counts["attention"].and_ops == 2 * 2 * 2 * 2
    # x is binary here: projections are gated too, except the output projection of integer sums
    assert counts["projections"].multiplies == 2 * 2 * 2
    block.forward(x * 0.5)
    assert block.op_counts["projections"].multiplies == 4 * 2 * 2 * 2


def test_counts_before_forward_and_seeded_weights():
    assert SpikeDrivenAttention(8, 2).num_multiply_ops == 0
    a, b, c = SpikeDrivenAttention(8, 2, seed=1), SpikeDrivenAttention(8, 2, seed=1), SpikeDrivenAttention(8, 2, seed=2)
    assert np.array_equal(a.W_q, b.W_q) and not np.array_equal(a.W_q, c.W_q)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(embed_dim=10, num_heads=4), "not divisible by num_heads"),
        (dict(embed_dim=8, num_heads=0), "num_heads"),
        (dict(embed_dim=8, T=0), "T must be"),
        (dict(embed_dim=8, threshold=-1.0), "threshold"),
    ],
)
def test_bad_configuration(kwargs, match):
    with pytest.raises(InputError, match=match):
        SpikeDrivenAttention(**kwargs)


def test_bad_input():
    block = SpikeDrivenAttention(8, 2)
    with pytest.raises(InputError, match="last dimension"):
        block.forward(np.zeros((3, 7)))
    with pytest.raises(InputError, match="NaN"):
        block.forward(np.full((2, 8), np.nan))
    with pytest.raises(InputError, match="dimensions"):
        block.forward(np.zeros((1, 2, 3, 8)))
