"""The core's cycle model: hand-counted FSM schedules, and Icarus cycle counts of real co-simulations."""

import numpy as np
import pytest

from sc_neurocore.backends.cores.network.core import NetworkCore
from sc_neurocore.backends.cores.sc.core import ScCore
from sc_neurocore.backends.cosim import cosimulate
from sc_neurocore.errors import InputError
from sc_neurocore.frontend import graph_from_nir, read_nir
from sc_neurocore.passes import quantise
from sc_neurocore.passes.lower import lower
from sc_neurocore.report import (
    FIXED_CORE, CoreShape, CoreTiming, PopulationShape, compute_cycles, cycle_bounds, step_cycles, throughput,
)
from sc_neurocore.sim import run_fixed
from sc_neurocore.sim.sc import run_sc, sc_config

from tests.netbuild import two_layer

# input (4) -> a (3, with a recurrent self-projection listed first) -> b (2)
SHAPE = CoreShape(4, (
    PopulationShape("a", 3, True, ("a", "input"), (True, False)),
    PopulationShape("b", 2, True, ("a",), (False,)),
))


def _events(input_, a, b):
    return {"input": np.array(input_), "a": np.array(a), "b": np.array(b)}


def test_a_quiet_step_costs_the_fixed_schedule():
    # per neuron: S_NEURON, one S_PROJ per projection and the closing one, a 1-cycle S_DRAIN, the 4 cycles of S_UPDATE
    quiet = compute_cycles(SHAPE, _events([0], [0], [0]))
    assert quiet.tolist() == [2 + (1 + 3 * (6 + 2 + 0 + 1)) + (1 + 2 * (6 + 1 + 0 + 1))]


def test_events_stream_one_per_cycle_and_the_pipeline_drains():
    # step 0: 2 input events (last projection busy: the drain waits 4 cycles), a fires 1, b fires 0
    # step 1: no input; a's previous-step event arrives on its first projection, one trailing empty
    # projection overlaps the drain (3 cycles)
    cycles = compute_cycles(SHAPE, _events([2, 0], [1, 0], [0, 0]))
    step0_a = 3 * (6 + 2 + 2 + 4)
    step0_b = 2 * (6 + 1 + 1 + 4)  # b reads a's events of this step
    step1_a = 3 * (6 + 2 + 1 + 3)
    step1_b = 2 * (6 + 1 + 0 + 1)
    assert cycles.tolist() == [2 + 1 + step0_a + 1 + step0_b, 2 + 1 + step1_a + 1 + step1_b]
    assert step_cycles(SHAPE, _events([2, 0], [1, 0], [0, 0])).tolist() == (cycles + [3, 1]).tolist()


def test_bounds_and_rates_at_fmax():
    fewest, most = cycle_bounds(SHAPE)
    assert fewest == 1 + compute_cycles(SHAPE, _events([0], [0], [0]))[0]
    assert most == 4 + 1 + compute_cycles(SHAPE, _events([4, 4], [3, 3], [2, 2]))[1]
    events = _events(np.zeros((10, 2), int), np.zeros((10, 2), int), np.zeros((10, 2), int))
    speed = throughput(SHAPE, fmax_mhz=20.0, dt=1e-3, events=events)
    assert speed.mean_cycles_per_step == fewest and speed.steps_per_inference == 10
    assert speed.measured_steps_per_second == pytest.approx(20e6 / fewest)
    assert speed.inferences_per_second == pytest.approx(20e6 / fewest / 10)
    assert speed.real_time_factor == pytest.approx(20e6 / fewest * 1e-3)
    assert speed.worst_steps_per_second == pytest.approx(20e6 / most)
    assert throughput(SHAPE, 20.0, 1e-3).inferences_per_second is None


def _stimulus(qnet, steps, seed):
    rng = np.random.default_rng(seed)
    rates = rng.choice([0.0, 0.2, 0.9], size=steps)  # quiet steps let recurrent events arrive alone
    return (rng.random((steps, qnet.input_size)) < rates[:, None]).astype(int)


@pytest.mark.cosim
@pytest.mark.parametrize("case", ["LIF-LIF", "CubaLIF-CubaLI", "IF-I", "braille"])
def test_model_equals_icarus_cycle_counts(icarus, tmp_path, nir_paper, case):
    if case == "braille":
        graph = read_nir(nir_paper / "03_rnn" / "braille_noDelay_noBias_subtract.nir")
        qnet = quantise(lower(graph, dt=1e-4, reset_mode="zero"), weight_bits=10)
    else:
        qnet = quantise(lower(graph_from_nir(two_layer(*case.split("-")))))
    spikes = _stimulus(qnet, steps=14, seed=3)
    result = cosimulate(NetworkCore(qnet), tmp_path, spikes)
    assert result.mismatches == 0, result.first_mismatch()
    fixed = run_fixed(qnet, spikes[:, None, :])
    events = {"input": spikes.sum(axis=1)}
    events.update({p.name: fixed.outputs[p.name][:, 0].sum(axis=1) for p in qnet.populations if p.spiking})
    assert any(events[p.name].any() for p in qnet.populations if p.spiking), "some population must fire"
    # the testbench counts from the cycle after the end-of-step word until it sees out_eos, which is
    # registered: one cycle later than the end of S_EOS, every step
    assert result.cycles == int(compute_cycles(CoreShape.from_network(qnet), events).sum()) + spikes.shape[0]


# --arith sc: snn_sc_core spends CHUNKS + 5 clocks per arrived event and drains a 2-stage count pipeline


def test_the_sc_core_schedule_by_hand():
    sc = CoreTiming.sc(chunks=4)  # e.g. stream length 64 on 16 lanes
    assert (sc.event_cycles, sc.drain_stages, sc.core) == (9, 2, "snn_sc_core")
    # quiet: the same schedule as the fixed core
    assert compute_cycles(SHAPE, _events([0], [0], [0]), sc).tolist() == compute_cycles(SHAPE, _events([0], [0], [0])).tolist()
    cycles = compute_cycles(SHAPE, _events([2, 0], [1, 0], [0, 0]), sc)
    step0_a = 3 * (6 + 2 + 2 * 9 + 2)  # the last projection is busy: S_DRAIN waits 2 cycles
    step0_b = 2 * (6 + 1 + 1 * 9 + 2)
    step1_a = 3 * (6 + 2 + 1 * 9 + 1)  # one trailing empty projection covers the drain
    step1_b = 2 * (6 + 1 + 0 + 1)
    assert cycles.tolist() == [2 + 1 + step0_a + 1 + step0_b, 2 + 1 + step1_a + 1 + step1_b]
    fewest, most = cycle_bounds(SHAPE, sc)
    assert fewest == cycle_bounds(SHAPE)[0] and most > cycle_bounds(SHAPE)[1]
    speed = throughput(SHAPE, 20.0, 1e-3, _events(np.zeros((5, 1), int), np.zeros((5, 1), int), np.zeros((5, 1), int)), sc)
    assert speed.core == "snn_sc_core" and speed.seconds_per_inference == pytest.approx(5 * fewest / 20e6)


def test_sc_timing_from_a_manifest():
    assert CoreTiming.from_manifest({"arith": "fixed"}) == FIXED_CORE == CoreTiming.from_manifest({})
    assert CoreTiming.from_manifest({"arith": "sc", "sc": {"stream_length": 256, "lanes": 16, "chunks": 16}}).event_cycles == 21
    with pytest.raises(InputError, match="chunks"):
        CoreTiming.from_manifest({"arith": "sc", "sc": {"stream_length": 256}})


@pytest.mark.cosim
@pytest.mark.parametrize("case, length", [
    pytest.param("LIF-LIF", 256, marks=pytest.mark.slow), ("CubaLIF-CubaLI", 32), ("IF-I", 1),
    pytest.param("LIF-IF", 1024, marks=pytest.mark.slow), ("braille", 16), pytest.param("braille", 64, marks=pytest.mark.slow),
])
def test_sc_model_equals_icarus_cycle_counts(icarus, tmp_path, nir_paper, case, length):
    if case == "braille":
        graph = read_nir(nir_paper / "03_rnn" / "braille_noDelay_noBias_subtract.nir")
        qnet = quantise(lower(graph, dt=1e-4, spike_condition="ge", reset_mode="subtract"), weight_bits=10,
                        state_bits=12)
    else:
        qnet = quantise(lower(graph_from_nir(two_layer(*case.split("-")))))
    config = sc_config(length)
    spikes = _stimulus(qnet, steps=10, seed=4)
    result = cosimulate(ScCore(qnet, config), tmp_path, spikes)
    assert result.mismatches == 0, result.first_mismatch()
    sc = run_sc(qnet, spikes[:, None, :], config)
    events = {"input": spikes.sum(axis=1)}
    events.update({p.name: sc.outputs[p.name][:, 0].sum(axis=1) for p in qnet.populations if p.spiking})
    assert any(events[p.name].any() for p in qnet.populations if p.spiking), "some population must fire"
    timing = CoreTiming.sc(config.chunks)
    # as for the fixed core, the testbench sees the registered out_eos one cycle after S_EOS, every step
    assert result.cycles == int(compute_cycles(CoreShape.from_network(qnet), events, timing).sum()) + spikes.shape[0]
