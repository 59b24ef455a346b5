"""The exact fast paths: a convolution or integer matrix on inputs known to lie on a grid (spikes) may
compute in any order, layout or float32, and must give the very bits of the reference forms."""

import numpy as np
import pytest

from sc_neurocore.kernels import SPIKES, Chain, ConvOp, DenseOp, Grid, ScaleOp
from sc_neurocore.kernels.exact import _weight_grid
from sc_neurocore.sim import executor, run_fixed, run_float
from sc_neurocore.sim.stimulus import poisson_spikes

from .test_operator_speedups import GEOMETRIES, _populations


def _float32_weights(rng, shape):
    """Real-valued weights as NIR files store them (float32), like cnn_sinabs's float kernels."""
    return rng.normal(0, 0.3, shape).astype(np.float32).astype(np.float64)


def test_weight_grid_is_the_finest_power_of_two_dividing_every_weight():
    assert _weight_grid(np.array([0.75, -0.5, 3.0, 0.0])) == -2
    assert _weight_grid(np.array([[4, 8], [-12, 0]])) == 2
    assert _weight_grid(np.zeros(3)) == 0
    assert _weight_grid(np.array([1.0, np.inf])) is None
    w = _float32_weights(np.random.default_rng(0), 200)
    e = _weight_grid(w)
    assert np.all(np.ldexp(w, -e) == np.round(np.ldexp(w, -e)))
    assert not np.all(np.ldexp(w, -e - 1) == np.round(np.ldexp(w, -e - 1)))


def test_through_proves_exactness_only_within_the_significand():
    def ones_and(big):  # on the grid of 1: sums up to 1 + 1024 * big units
        weight = np.full((1, 1025), big)
        weight[0, 0] = 1.0
        return DenseOp(weight)

    assert ones_and(2.0**13).through(SPIKES) == Grid(0, 2.0**23 + 1)  # float64 holds it, float32 does not
    assert ones_and(2.0**13).through(SPIKES, np.float32) is None
    assert ones_and(2.0**12).through(SPIKES, np.float32) == Grid(0, 2.0**22 + 1)
    assert DenseOp(np.full((1, 1024), 2.0**13)).through(SPIKES, np.float32) == Grid(13, 2.0**23)  # 1024 units
    assert DenseOp(np.array([[0.1, 0.2]])).through(SPIKES) is None  # 0.1 needs all 53 bits
    assert DenseOp(np.array([[3.0]])).through(Grid(0, 2.0**51)) is None  # large inputs overflow it
    assert DenseOp(np.array([[3.0]])).through(None) is None
    assert ScaleOp(np.array([0.5, 2.0])).through(SPIKES) == Grid(-1, 2.0)
    tiny = DenseOp(np.array([[2.0**-130]]))  # float32 would meet subnormals
    assert tiny.through(SPIKES) is not None and tiny.through(SPIKES, np.float32) is None


ODD_STRIDES = [  # stride phases of uneven size, dilation across phases, groups
    (3, 11, 13, 4, (3, 3), (3, 2), ((2, 1), (0, 2)), (2, 1), 1),
    (6, 7, 10, 6, (2, 3), (2, 3), ((1, 0), (1, 1)), (1, 2), 3),
]


@pytest.mark.parametrize("geometry", GEOMETRIES + ODD_STRIDES)
@pytest.mark.parametrize("integral", [True, False])
def test_exact_convolution_gives_the_reference_bits(geometry, integral):
    c_in, h, w, c_out, kernel, stride, pads, dilation, groups = geometry
    rng = np.random.default_rng(7)
    shape = (c_out, c_in // groups, *kernel)
    weight = rng.integers(-120, 121, shape).astype(np.float64) if integral else _float32_weights(rng, shape)
    op = ConvOp(weight, (c_in, h, w), stride, pads, dilation, groups)
    assert op.through(SPIKES) is not None
    assert (op.through(SPIKES, np.float32) is not None) == integral  # float32 kernels need about 40 bits
    for batch in (1, 5, 5):  # the repeat reuses the buffers
        spikes = (rng.random((batch, op.n_in)) < 0.3).astype(np.float64)
        fast = op.apply(spikes, SPIKES)
        assert fast.dtype == np.float64
        np.testing.assert_array_equal(fast, op.apply_reference(spikes))
        np.testing.assert_array_equal(fast, op.apply(spikes))  # the float64 im2col, bit for bit
    if integral:  # the float32 path itself, on counts (pooled spikes) too, and straight into int64
        counts = rng.integers(0, 5, (3, op.n_in)).astype(np.float64)
        np.testing.assert_array_equal(op._apply_exact(counts, np.empty((3, op.n_out))), op.apply_reference(counts))
        ints = spikes.astype(np.int64)
        fast = op.apply_int(ints, SPIKES)
        assert fast.dtype == np.int64
        np.testing.assert_array_equal(fast, op.apply_int(ints))


def test_real_valued_input_keeps_the_im2col_path():
    op = ConvOp(_float32_weights(np.random.default_rng(8), (4, 3, 3, 3)), (3, 6, 6), (1, 1), ((1, 1), (1, 1)), (1, 1), 1)
    x = np.random.default_rng(9).normal(size=(2, op.n_in))
    np.testing.assert_array_equal(op.apply(x, None), op.apply(x))


def test_chunked_exact_batches_match():
    rng = np.random.default_rng(10)
    op = ConvOp(rng.integers(-50, 51, (16, 16, 3, 3)), (16, 16, 16), (1, 1), ((1, 1), (1, 1)), (1, 1), 1)
    op._chunk = 7
    x = (rng.random((30, op.n_in)) < 0.1).astype(np.float64)
    np.testing.assert_array_equal(op.apply(x, SPIKES), op.apply_reference(x))
    np.testing.assert_array_equal(op.apply_int(x.astype(np.int64), SPIKES), op.apply_reference(x).astype(np.int64))


def test_grids_propagate_through_a_pooling_chain():
    rng = np.random.default_rng(11)
    pool = ConvOp(np.ones((16, 1, 2, 2)), (16, 16, 16), (2, 2), ((0, 0), (0, 0)), (1, 1), 16)
    conv = ConvOp(_float32_weights(rng, (8, 16, 3, 3)), (16, 8, 8), (1, 1), ((1, 1), (1, 1)), (1, 1), 1)
    dense = DenseOp(_float32_weights(rng, (20, conv.n_out)))
    assert pool.through(SPIKES) == Grid(0, 4.0)  # counts 0..4 feed the convolution
    chain = Chain([pool, conv, dense])
    spikes = (rng.random((6, chain.n_in)) < 0.3).astype(np.float64)
    np.testing.assert_array_equal(chain.apply(spikes, SPIKES), chain.apply(spikes))
    integer = Chain([pool, ConvOp(rng.integers(-80, 81, (8, 16, 3, 3)), (16, 8, 8), (1, 1), ((1, 1), (1, 1)), (1, 1), 1)])
    ints = spikes.astype(np.int64)
    np.testing.assert_array_equal(integer.apply_int(ints, SPIKES), integer.apply_int_reference(ints))


def _without_grids(monkeypatch):
    monkeypatch.setattr(executor, "_source_grid", lambda *args: None)


@pytest.mark.parametrize("batch", [1, 4])
def test_cnn_runs_are_bit_identical_with_and_without_the_exact_paths(monkeypatch, batch):
    net, qnet = _populations()
    x = poisson_spikes(5, net.input_size, 0.1, 3, batch)
    fast = run_float(net, x, True, True), run_fixed(qnet, x, True, True)
    _without_grids(monkeypatch)
    slow = run_float(net, x, True, True), run_fixed(qnet, x, True, True)
    for a, b in zip(fast, slow):
        for name in a.outputs:
            for kind in ("outputs", "voltages", "currents"):
                fa, fb = getattr(a, kind)[name], getattr(b, kind)[name]
                assert fa.dtype == fb.dtype
                assert np.array_equal(fa.view(np.uint8), fb.view(np.uint8)), (a.mode, name, kind)  # signed zeros too
    assert sum(int(a.outputs[n].sum()) for a in fast for n in a.outputs) > 0


@pytest.mark.parametrize("subtract", [True, False])
@pytest.mark.parametrize("leak", [True, False])
def test_specialised_steps_owning_their_state_match_the_generic_ones(subtract, leak):
    from types import SimpleNamespace

    from sc_neurocore.sim.neuron_steps import fixed_step, float_step, make_fixed_step, make_float_step

    n, rng = 50, np.random.default_rng(12)
    pop = SimpleNamespace(has_syn=False, spiking=True, reset_subtract=subtract, gain=np.full(n, 1.0),
                          k_mem=np.full(n, 0.1 if leak else 0.0), v_leak=np.zeros(n), v_threshold=np.full(n, 0.7),
                          v_reset=np.zeros(n), k_syn=np.zeros(n))
    step, state = make_float_step(pop, True, owns_state=True), (np.zeros((3, n)), np.zeros((3, n)))
    reference, fired = (np.zeros((3, n)), np.zeros((3, n))), 0
    for _ in range(6):
        current = rng.normal(0.3, 0.5, (3, n))
        row = np.empty((3, n))
        out, state = step(current, state, row)
        expected, reference = float_step(current, reference, pop, True)
        assert out is row and np.array_equal(out, expected) and np.array_equal(state[0], reference[0])
        fired += int(out.sum())
    qpop = SimpleNamespace(has_syn=False, spiking=True, reset_subtract=subtract, k_mem=np.full(n, 6554 if leak else 0),
                           v_leak=np.zeros(n, np.int64), v_threshold=np.full(n, 3000), v_reset=np.zeros(n, np.int64),
                           k_syn=np.zeros(n, np.int64))
    step = make_fixed_step(qpop, True, 14, owns_state=True)
    state, reference = (np.zeros((3, n), np.int64),) * 2, (np.zeros((3, n), np.int64),) * 2
    state = (state[0].copy(), state[1].copy())
    for _ in range(6):
        acc = rng.integers(-9000, 12000, (3, n))  # saturates at the 14-bit state width both ways
        out, state = step(acc, state, np.empty((3, n), np.int64))
        expected, reference = fixed_step(acc, reference, qpop, True, 14)
        assert np.array_equal(out, expected) and np.array_equal(state[0], reference[0])
        fired += int(out.sum())
    assert fired > 0
