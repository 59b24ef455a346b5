"""Operation counting: gated additions for spike operands, multiplies otherwise."""

import numpy as np

from sc_neurocore.transformers.ops import OpCounts, is_spike_tensor, product_ops


def test_binary_product_counts_popcount_events_and_and_gates():
    q = np.array([[1, 0, 1], [0, 0, 1]])
    k_t = np.array([[1, 1], [1, 0], [0, 1]])  # K^T: 3 channels x 2 tokens
    # pairs of ones meeting: channel 0: 1 x 2, channel 1: 0 x 1, channel 2: 2 x 1
    assert product_ops(q, k_t, True, True) == OpCounts(multiplies=0, accumulates=4, and_ops=12)
    assert (q @ k_t).sum() == 4


def test_ternary_gate_on_integers_counts_additions_only():
    counts = np.array([[2, 0], [1, 3]])
    v = np.array([[1, -1, 0], [0, 0, 1]])
    # column 0 of counts has 2 non-zeros x row 0 of v has 2; column 1 has 1 x 1
    assert product_ops(counts, v, False, True) == OpCounts(accumulates=5)


def test_dense_product_counts_every_multiply_and_batches():
    a = np.ones((3, 2, 4))
    b = np.ones((4, 5))
    assert product_ops(a, b, False, False) == OpCounts(multiplies=120, accumulates=120)
    assert OpCounts(1, 2, 3) + OpCounts(4, 5, 6) == OpCounts(5, 7, 9)


def test_spike_tensor_detection():
    assert is_spike_tensor(np.array([0.0, 1.0, -1.0]))
    assert not is_spike_tensor(np.array([0.0, 0.5]))
    assert not is_spike_tensor(np.array([2, 0]))
