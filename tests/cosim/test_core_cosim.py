"""The emitted RTL, run by Icarus Verilog, equals the fixed executor bit for bit, every step."""

import numpy as np
import pytest

from sc_neurocore.backends.cores.network.core import NetworkCore
from sc_neurocore.backends.cosim import cosimulate
from sc_neurocore.frontend import graph_from_nir, read_nir
from sc_neurocore.passes import quantise
from sc_neurocore.passes.lower import lower

from tests.netbuild import two_layer

pytestmark = pytest.mark.cosim


def _check(qnet, tmp_path, steps=12, rate=0.35, seed=0):
    spikes = (np.random.default_rng(seed).random((steps, qnet.input_size)) < rate).astype(int)
    result = cosimulate(NetworkCore(qnet), tmp_path, spikes)
    assert result.mismatches == 0, result.first_mismatch()
    assert len(result.rtl_lines) >= steps * sum(p.size for p in qnet.populations)
    return result


@pytest.mark.parametrize(
    "hidden, output",
    [("LIF", "LIF"), ("IF", "IF"), ("CubaLIF", "CubaLI"), ("Threshold", "LI"), ("LIF", "I")],
)
def test_every_neuron_model_is_bit_true(icarus, tmp_path, hidden, output):
    qnet = quantise(lower(graph_from_nir(two_layer(hidden, output))))
    result = _check(qnet, tmp_path)
    fired = [line for line in result.expected_lines if line.startswith("U") and line.endswith(" 1")]
    assert fired, "the stimulus must make some neuron fire, or the comparison proves little"


@pytest.mark.parametrize("options", [dict(spike_condition="ge", reset_mode="subtract"), dict(reset_mode="zero")])
def test_recurrent_braille_network_is_bit_true(icarus, tmp_path, nir_paper, options):
    graph = read_nir(nir_paper / "03_rnn" / "braille_noDelay_noBias_subtract.nir")
    qnet = quantise(lower(graph, dt=1e-4, **options), weight_bits=10)
    assert any(p.recurrent for pop in qnet.populations for p in pop.projections)
    _check(qnet, tmp_path, steps=15, rate=0.3)


def test_wide_formats_and_saturation_are_bit_true(icarus, tmp_path):
    # Narrow state bits force saturation on purpose.
    qnet = quantise(lower(graph_from_nir(two_layer("IF", "LI", seed=4))), weight_bits=12, state_bits=10)
    _check(qnet, tmp_path, rate=0.6)
