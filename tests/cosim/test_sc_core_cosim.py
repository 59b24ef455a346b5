"""--arith sc: snn_sc_core under Icarus equals the sc executor bit for bit: every synapse's signed count
and generator state, every neuron update, every output event."""

import numpy as np
import pytest

from sc_neurocore.backends.cores.sc.core import ScCore
from sc_neurocore.backends.cores.sc.trace import expected_sc_trace
from sc_neurocore.backends.cosim import cosimulate
from sc_neurocore.frontend import graph_from_nir, read_nir
from sc_neurocore.passes import quantise
from sc_neurocore.passes.lower import lower
from sc_neurocore.passes.pipeline import load_quantised
from sc_neurocore.sim.sc import sc_config

from tests.conftest import REPO
from tests.netbuild import two_layer

pytestmark = pytest.mark.cosim


def _check(qnet, tmp_path, length, steps=8, rate=0.35, seed=0):
    spikes = (np.random.default_rng(seed).random((steps, qnet.input_size)) < rate).astype(int)
    result = cosimulate(ScCore(qnet, sc_config(length)), tmp_path, spikes)
    assert result.mismatches == 0, result.first_mismatch()
    synapses = [line for line in result.rtl_lines if line.startswith("K ")]
    updates = [line for line in result.rtl_lines if line.startswith("U ")]
    assert len(updates) == steps * sum(p.size for p in qnet.populations)
    assert len(synapses) >= steps  # the comparison covers the streams, not only the membranes
    assert any(line.endswith(" 1") for line in updates), "some neuron must fire, or the check proves little"
    return result


@pytest.mark.slow
def test_demo_network_is_bit_true(icarus, tmp_path):
    _, qnet = load_quantised(REPO / "examples" / "demo_lif.nir")
    _check(qnet, tmp_path, 256, steps=4, rate=0.1)


@pytest.mark.parametrize(
    "hidden, output, length",
    [("CubaLIF", "CubaLI", 32), ("IF", "LIF", 1), pytest.param("Threshold", "LI", 1024, marks=pytest.mark.slow), ("LIF", "IF", 128)],
)
def test_neuron_models_and_stream_lengths_are_bit_true(icarus, tmp_path, hidden, output, length):
    # 32 and 1 shift the count left (fewer bits than weight levels), 1024 right; 128 not at all.
    qnet = quantise(lower(graph_from_nir(two_layer(hidden, output))))
    _check(qnet, tmp_path, length)


def test_recurrent_network_with_saturation_is_bit_true(icarus, tmp_path, nir_paper):
    graph = read_nir(nir_paper / "03_rnn" / "braille_noDelay_noBias_subtract.nir")
    qnet = quantise(lower(graph, dt=1e-4, spike_condition="ge", reset_mode="subtract"), weight_bits=10, state_bits=12)
    assert any(p.recurrent for pop in qnet.populations for p in pop.projections)
    _check(qnet, tmp_path, 16, steps=6, rate=0.3)


def test_a_different_stream_allocation_is_detected(icarus, tmp_path):
    """The comparison can fail: the executor with another allocation seed disagrees with the RTL."""
    qnet = quantise(lower(graph_from_nir(two_layer("LIF", "LIF"))))
    spikes = (np.random.default_rng(1).random((4, qnet.input_size)) < 0.4).astype(int)
    result = cosimulate(ScCore(qnet, sc_config(64)), tmp_path, spikes)
    assert result.mismatches == 0, result.first_mismatch()
    other = expected_sc_trace(qnet, spikes, sc_config(64, seed=2))
    assert sum(a != b for a, b in zip(result.rtl_lines, other)) > len(other) // 2
