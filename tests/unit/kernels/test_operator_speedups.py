"""The fast paths (im2col + matmul, depthwise slices, one-conversion integer chains, input projections
precomputed for all time steps, specialised neuron steps) against the straightforward forms they replace."""

import copy
import pickle
from pathlib import Path

import numpy as np
import pytest

from sc_neurocore.kernels import Chain, ConvOp, DenseOp
from sc_neurocore.sim import executor
from sc_neurocore.sim.neuron_steps import fixed_step, float_step, make_fixed_step, make_float_step

CNN = Path(__file__).resolve().parents[2] / "data" / "nir-paper" / "paper" / "02_cnn" / "cnn_sinabs.nir"

GEOMETRIES = [  # (c_in, h, w, c_out, kernel, stride, pads, dilation, groups)
    (2, 34, 34, 16, (5, 5), (2, 2), ((1, 1), (1, 1)), (1, 1), 1),  # cnn_sinabs's first layer
    (16, 16, 16, 16, (3, 3), (1, 1), ((1, 1), (1, 1)), (1, 1), 1),
    (4, 9, 7, 6, (3, 2), (2, 1), ((1, 1), (0, 0)), (1, 2), 2),
    (2, 8, 8, 4, (4, 2), (1, 1), ((1, 2), (0, 1)), (1, 1), 1),
    (3, 5, 6, 3, (2, 2), (1, 1), ((0, 0), (0, 0)), (1, 1), 3),
    (1, 1, 12, 3, (1, 3), (1, 2), ((0, 0), (1, 1)), (1, 1), 1),  # a 1-d convolution
]


def _op(geometry, rng, weight=None):
    c_in, h, w, c_out, kernel, stride, pads, dilation, groups = geometry
    if weight is None:
        weight = rng.integers(-100, 101, (c_out, c_in // groups, *kernel)).astype(np.float64)
    return ConvOp(weight, (c_in, h, w), stride, pads, dilation, groups)


@pytest.mark.parametrize("geometry", GEOMETRIES)
@pytest.mark.parametrize("batch", [1, 5])
def test_im2col_matches_einsum(geometry, batch):
    rng = np.random.default_rng(1)
    op = _op(geometry, rng)
    spikes = (rng.random((batch, op.n_in)) < 0.2).astype(np.float64)
    np.testing.assert_array_equal(op.apply(spikes), op.apply_reference(spikes))  # integer sums: exact
    real = rng.normal(size=(batch, op.n_in))
    np.testing.assert_allclose(op.apply(real), op.apply_reference(real), rtol=1e-12, atol=1e-9)
    np.testing.assert_array_equal(op.apply(spikes), op.apply_reference(spikes))  # reused buffers stay clean


@pytest.mark.parametrize("unit", [True, False])
def test_depthwise_pooling_matches_einsum(unit):
    rng = np.random.default_rng(2)
    weight = np.ones((5, 1, 2, 2)) if unit else rng.integers(-3, 4, (5, 1, 2, 2)).astype(np.float64)
    op = ConvOp(weight, (5, 9, 8), (2, 2), ((0, 1), (0, 0)), (1, 1), 5)
    assert op._depthwise
    counts = rng.integers(0, 5, (3, op.n_in)).astype(np.float64)
    np.testing.assert_array_equal(op.apply(counts), op.apply_reference(counts))


def test_large_batches_run_in_chunks():
    rng = np.random.default_rng(3)
    op = _op(GEOMETRIES[1], rng)
    op._chunk = 7
    x = (rng.random((30, op.n_in)) < 0.1).astype(np.float64)
    np.testing.assert_array_equal(op.apply(x), op.apply_reference(x))


def test_integer_chain_converts_once_and_equals_per_operator_rounding():
    rng = np.random.default_rng(4)
    pool = ConvOp(np.ones((16, 1, 2, 2)), (16, 16, 16), (2, 2), ((0, 0), (0, 0)), (1, 1), 16)
    conv = ConvOp(rng.integers(-80, 81, (8, 16, 3, 3)), (16, 8, 8), (1, 1), ((1, 1), (1, 1)), (1, 1), 1)
    chain = Chain([pool, conv, DenseOp(rng.integers(-70, 71, (20, conv.n_out)))])
    assert chain._integral
    spikes = (rng.random((6, chain.n_in)) < 0.3).astype(np.int64)
    fast = chain.apply_int(spikes)
    assert fast.dtype == np.int64
    np.testing.assert_array_equal(fast, chain.apply_int_reference(spikes))
    real = Chain([pool, DenseOp(rng.normal(size=(3, pool.n_out)))])
    assert not real._integral
    np.testing.assert_array_equal(real.apply_int(spikes), real.apply_int_reference(spikes))


def test_conv_op_survives_copy_and_pickle():
    op = _op(GEOMETRIES[1], np.random.default_rng(5))
    x = np.ones((2, op.n_in))
    op.apply(x)  # fills the buffer cache
    for clone in (copy.deepcopy(op), pickle.loads(pickle.dumps(op))):
        np.testing.assert_array_equal(clone.apply(x), op.apply_reference(x))


def _populations():
    from sc_neurocore.passes.pipeline import ModelOptions, load_quantised

    return load_quantised(CNN, ModelOptions())


@pytest.mark.parametrize("ge", [False, True])
def test_specialised_steps_equal_the_generic_ones(ge):
    net, qnet = _populations()
    rng = np.random.default_rng(6)
    for pop in net.populations:
        step, state = make_float_step(pop, ge), (np.zeros((3, pop.size)), np.zeros((3, pop.size)))
        reference = state
        for _ in range(5):
            current = rng.normal(0.4, 0.6, (3, pop.size))
            out, state = step(current, state)
            out_ref, reference = float_step(current, reference, pop, ge)
            np.testing.assert_array_equal(out, out_ref)
            np.testing.assert_array_equal(state[0], reference[0])
            np.testing.assert_array_equal(state[1], reference[1])
    for pop in qnet.populations:
        step = make_fixed_step(pop, ge, qnet.state_bits)
        state = reference = (np.zeros((3, pop.size), np.int64), np.zeros((3, pop.size), np.int64))
        for _ in range(5):
            acc = rng.integers(-40000, 40000, (3, pop.size))  # saturates both ways
            out, state = step(acc, state)
            out_ref, reference = fixed_step(acc, reference, pop, ge, qnet.state_bits)
            np.testing.assert_array_equal(out, out_ref)
            np.testing.assert_array_equal(state[0], reference[0])


def test_cnn_run_is_unchanged_by_precomputing_the_input_layer(monkeypatch):
    """Fixed mode bit for bit; float mode to rounding (one [T*B] batch against per-step batches)."""
    from sc_neurocore.sim import run_fixed, run_float
    from sc_neurocore.sim.stimulus import poisson_spikes

    net, qnet = _populations()
    x = poisson_spikes(6, net.input_size, 0.1, 0, 3)
    fast_q, fast_f = run_fixed(qnet, x, True, True), run_float(net, x, True, True)
    monkeypatch.setattr(executor, "PRECOMPUTE_LIMIT", 0)  # every projection per step
    slow_q, slow_f = run_fixed(qnet, x, True, True), run_float(net, x, True, True)
    for name in fast_q.outputs:
        np.testing.assert_array_equal(fast_q.outputs[name], slow_q.outputs[name])
        np.testing.assert_array_equal(fast_q.voltages[name], slow_q.voltages[name])
        np.testing.assert_array_equal(fast_q.currents[name], slow_q.currents[name])
        np.testing.assert_allclose(fast_f.voltages[name], slow_f.voltages[name], atol=1e-9)
        np.testing.assert_array_equal(fast_f.outputs[name], slow_f.outputs[name])
