"""The sc executor: its stated semantics (checked against a scalar re-derivation), error law, bad input."""

import nir
import numpy as np
import pytest

from sc_neurocore.bitstream import comparator_words, lfsr_step
from sc_neurocore.errors import InputError, UnsupportedError
from sc_neurocore.frontend import graph_from_nir
from sc_neurocore.passes import quantise
from sc_neurocore.passes.lower import lower
from sc_neurocore.passes.quantise import QuantisedProjection
from sc_neurocore.sim.sc import (
    PERIOD, ScEvents, generator_state, run_sc, sc_config, sc_network, scale_counts, thresholds,
)
from sc_neurocore.sim import run_fixed

from tests.netbuild import two_layer


def _net(hidden="LIF", output="LIF", sizes=(12, 9, 5), weight_bits=8):
    return quantise(lower(graph_from_nir(two_layer(hidden, output, sizes=sizes))), weight_bits=weight_bits)


def _spikes(steps, n, rate=0.35, seed=0, batch=None):
    shape = (steps, n) if batch is None else (steps, batch, n)
    return (np.random.default_rng(seed).random(shape) < rate).astype(np.int64)


@pytest.mark.parametrize("bad", [0, -4, 100, 1 << 17, 2.0, True])
def test_stream_length_must_be_a_positive_power_of_two(bad):
    with pytest.raises(InputError, match="--stream-length"):
        sc_config(bad)


@pytest.mark.parametrize("length, lanes, chunks", [(1, 1, 1), (8, 8, 1), (256, 16, 16), (65536, 16, 4096)])
def test_lanes_and_chunks(length, lanes, chunks):
    config = sc_config(length)
    assert (config.lanes, config.chunks) == (lanes, chunks)


def test_thresholds_give_exactly_the_weight_fraction_over_a_period():
    config = sc_config(256)
    weights = np.array([-127, -64, -1, 0, 1, 5, 100, 127])
    t = thresholds(weights, 8)
    assert t[3] == 0 and np.all(t[weights != 0] == (np.abs(weights[weights != 0]) << 9) - 1)
    # Words over a full period are 1..2^16-1 once each, so exactly T bits are ones: p = (|w| 2^9 - 1) / (2^16 - 1).
    for lane in range(config.lanes):
        words = config.period_words[lane]
        assert np.array_equal(np.sort(words), np.arange(1, PERIOD + 1))
        assert [int((words <= thr).sum()) for thr in t] == t.tolist()


def test_count_scaling_rounds_ties_up_and_shifts_left_for_short_streams():
    assert scale_counts(np.array([-3, -2, -1, 0, 1, 2, 3]), sc_config(256), 8).tolist() == [-1, -1, 0, 0, 1, 1, 2]
    assert scale_counts(np.array([-3, 5]), sc_config(32), 8).tolist() == [-12, 20]
    assert scale_counts(np.array([7]), sc_config(128), 8).tolist() == [7]


def test_counts_follow_the_cycle_by_cycle_specification():
    """Re-derive every evaluation's count with scalar LFSR steps, independent of the vectorised executor."""
    qnet = _net()
    config = sc_config(64)
    events = ScEvents([])
    run_sc(qnet, _spikes(3, 12), config, events=events)
    alloc = config.allocation
    states = [g.seed for g in alloc.generators]
    weights = {0: qnet.populations[0].projections[0].weight, 1: qnet.populations[1].projections[0].weight}
    assert events.rows and [row[4] for row in events.rows] == list(range(len(events.rows)))
    for _, neuron, source, count, evaluation in events.rows:
        assert generator_state(config, evaluation) == states[0]
        pop = 0 if neuron < 9 else 1
        w = int(weights[pop][neuron - 9 * pop, source])
        ones = 0
        for _ in range(config.chunks):
            for view in alloc.streams:
                word = int(comparator_words(np.uint64(states[view.generator]), 16, view.rotation, view.reverse))
                ones += word <= int(thresholds(np.array([w]), 8)[0])
            states = [lfsr_step(g, s) for g, s in zip(alloc.generators, states)]
        assert count == (-ones if w < 0 else ones)


def test_weight_estimates_follow_the_binomial_error():
    """Many evaluations of one synapse: mean |w| N / 128, standard deviation sqrt(N p (1 - p)) within 20 %."""
    n_out = 64
    graph = nir.NIRGraph.from_list(
        nir.Input(np.array([1])), nir.Linear(np.full((n_out, 1), 0.3)),
        nir.IF(r=np.ones(n_out), v_threshold=np.full(n_out, 30.0), v_reset=np.zeros(n_out)),
        nir.Output(np.array([n_out])),
    )
    qnet = quantise(lower(graph_from_nir(graph)))
    w = int(qnet.populations[0].projections[0].weight[0, 0])
    p = w / 128
    assert 0.2 < p < 0.8
    for length in (64, 1024):
        events = ScEvents([])
        run_sc(qnet, np.ones((40, 1), np.int64), sc_config(length), events=events)
        counts = np.array([row[3] for row in events.rows])
        assert counts.size == 40 * n_out
        assert abs(counts.mean() - length * p) < 4 * np.sqrt(length * p * (1 - p) / counts.size)
        assert 0.8 < counts.std() / np.sqrt(length * p * (1 - p)) < 1.2


def test_batch_elements_are_independent_runs_from_reset():
    qnet, config = _net(), sc_config(32)
    spikes = _spikes(6, 12, batch=3)
    together = run_sc(qnet, spikes, config, record_voltages=True)
    for b in range(3):
        alone = run_sc(qnet, spikes[:, b], config, record_voltages=True)
        for name in together.outputs:
            assert np.array_equal(together.voltages[name][:, b], alone.voltages[name][:, 0])


def test_longer_streams_approach_the_fixed_point_result():
    qnet = _net("IF", "LI", sizes=(24, 16, 4))
    spikes = _spikes(30, 24, rate=0.3)
    fixed = run_fixed(qnet, spikes, record_voltages=True).voltages
    error = {
        length: np.mean([np.abs(run_sc(qnet, spikes, sc_config(length), record_voltages=True).voltages[name]
                                - fixed[name]).mean() for name in fixed])
        for length in (16, 4096)
    }
    assert error[4096] < 0.4 * error[16]


def test_non_spike_input_and_bad_shapes_are_input_errors():
    qnet, config = _net(), sc_config(16)
    with pytest.raises(InputError, match="0 or 1"):
        run_sc(qnet, np.full((2, 12), 0.5), config)
    with pytest.raises(InputError, match=r"\[T, 12\]"):
        run_sc(qnet, np.zeros((2, 11)), config)


def test_operator_projections_are_refused():
    qnet = _net()
    proj = qnet.populations[0].projections[0]
    qnet.populations[0].projections[0] = QuantisedProjection(proj.source, None, False, operator=object())
    with pytest.raises(UnsupportedError, match="dense synapses only"):
        sc_network(qnet)


def test_accumulator_widens_for_the_largest_estimate():
    qnet = _net()
    widened = sc_network(qnet)
    assert widened.acc_bits >= qnet.acc_bits
    assert 2 ** (widened.acc_bits - 1) > 21 * 128 + max(int(np.abs(p.bias).max()) for p in qnet.populations)
