"""Spikformer SSA, SDSA and A²OS²A against loop references written from the papers' equations."""

import numpy as np
import pytest

from sc_neurocore.errors import InputError
from sc_neurocore.transformers import (
    AdditionOnlyAttention,
    SpikeDrivenSelfAttention,
    SpikformerSSA,
    SpikingTransformerBlock,
)
from sc_neurocore.models.lif import lif_step, ternary_lif_step

T, B, N, D, H = 4, 2, 16, 8, 2


def grid_weights(block, rng, bias=0.8):
    """Fixed-point weights and batch-norm (exact in float32), non-trivial activity."""
    for layer in [getattr(block, name) for name in ("qkv", "q", "k", "v", "proj") if hasattr(block, name)]:
        layer.weight = np.round(rng.normal(0, 0.6, layer.weight.shape) * 32) / 32
        layer.bn.gamma = np.round(rng.uniform(0.5, 1.5, layer.out_dim) * 8) / 8
        layer.bn.beta = np.round(rng.normal(bias, 0.3, layer.out_dim) * 32) / 32
        layer.bn.var = np.full(layer.out_dim, 1.0)
        layer.bn.eps = 0.0


def lif_loop(x_seq, threshold):
    v = np.zeros(x_seq.shape[1:], np.float32)
    spikes = []
    for x in x_seq:
        s, v = lif_step(x.astype(np.float32), v, np.float32(2.0), np.float32(threshold))
        spikes.append(s)
    return np.array(spikes)


def bn_linear(layer, x):
    return (x @ layer.weight - layer.bn.mean) / np.sqrt(layer.bn.var + layer.bn.eps) * layer.bn.gamma + layer.bn.beta


def spikes_input(seed=0):
    return (np.random.default_rng(seed).random((T, B, N, D)) < 0.4).astype(np.float32)


def test_ssa_equals_the_paper_loop_with_scaling_and_threshold_0_5():
    block = SpikformerSSA(D, H)
    grid_weights(block, np.random.default_rng(1), bias=1.6)  # dense Q, K, V: Q K^T V reaches 0.5 / 0.125
    x = spikes_input()
    qkv = lif_loop(bn_linear(block.qkv, x), 1.0)
    q, k, v = (qkv[..., i * D : (i + 1) * D] for i in range(3))
    attn_in = np.zeros((T, B, N, D))
    for h in range(H):
        c = slice(h * D // H, (h + 1) * D // H)
        attn_in[..., c] = (q[..., c] @ k[..., c].swapaxes(-1, -2) @ v[..., c]) * 0.125  # no softmax
    attn = lif_loop(attn_in, 0.5)
    expected = lif_loop(bn_linear(block.proj, attn), 1.0)
    out = block.forward(x)
    assert np.array_equal(out, expected)
    assert np.array_equal(block.last_spikes["attn"], attn)
    assert 0 < attn.mean() < 1 and 0 < out.mean() < 1
    counts = block.op_counts
    assert counts["attention"].multiplies == 0 and counts["attention"].accumulates > 0
    assert counts["projections"].multiplies == 0  # binary input and binary attention spikes


def test_sdsa_is_q_and_lif_of_token_sum_of_k_and_v():
    block = SpikeDrivenSelfAttention(D)
    grid_weights(block, np.random.default_rng(2))
    x = spikes_input(1)
    q, k, v = (lif_loop(bn_linear(layer, x), 1.0) for layer in (block.q, block.k, block.v))
    kv = lif_loop((k * v).sum(axis=2), 0.5)
    expected = bn_linear(block.proj, q * kv[:, :, None, :])
    assert np.allclose(block.forward(x), expected, atol=1e-5)
    assert block.last_spikes["kv"].any()
    assert block.op_counts["attention"].multiplies == 0


def test_a2os2a_binary_q_relu_k_ternary_v_addition_only():
    block = AdditionOnlyAttention(D, H)
    grid_weights(block, np.random.default_rng(3))
    x = spikes_input(2)
    q = lif_loop(bn_linear(block.q, x), 1.0)
    k = np.maximum(bn_linear(block.k, x), 0)
    v_in, v_state, v = bn_linear(block.v, x), np.zeros((B, N, D)), []
    for t in range(T):
        s, v_state = ternary_lif_step(v_in[t], v_state)
        v.append(s)
    v = np.array(v)
    attn_in = np.zeros((T, B, N, D))
    for h in range(H):
        c = slice(h * D // H, (h + 1) * D // H)
        attn_in[..., c] = q[..., c] @ k[..., c].swapaxes(-1, -2) @ v[..., c]  # no softmax, no scale
    expected = lif_loop(bn_linear(block.proj, lif_loop(attn_in, 1.0)), 1.0)
    assert np.array_equal(block.forward(x), expected)
    s = block.last_spikes
    assert set(np.unique(s["v"])) == {-1.0, 0.0, 1.0}
    assert set(np.unique(s["q"])) <= {0.0, 1.0} and s["k"].min() >= 0
    attention = block.op_counts["attention"]
    assert attention.multiplies == 0 and attention.accumulates > 0


@pytest.mark.parametrize("kind", ["ssa", "sdsa", "a2os2a"])
def test_block_adds_residuals_and_is_deterministic(kind):
    x = spikes_input(3)
    one, two = (SpikingTransformerBlock(D, H, attention=kind, seed=5) for _ in range(2))
    y = one.forward(x)
    assert y.shape == x.shape
    assert np.array_equal(y, two.forward(x))
    attention = one.attention.forward(x)
    mlp = one.mlp.forward(x + attention)
    assert np.allclose(y, x + attention + mlp)
    assert set(one.op_counts) == {"projections", "attention", "mlp"}


def test_errors():
    with pytest.raises(InputError, match="divisible"):
        SpikformerSSA(10, 4)
    with pytest.raises(InputError, match="attention must be one of"):
        SpikingTransformerBlock(8, 2, attention="softmax")
    with pytest.raises(InputError, match="4 dimensions"):
        SpikformerSSA(8, 2).forward(np.zeros((2, 3, 8)))
    block = SpikformerSSA(8, 2)
    block.qkv.bn.var = -np.ones(24)
    with pytest.raises(InputError, match="var"):
        block.forward(np.zeros((1, 1, 2, 8)))
