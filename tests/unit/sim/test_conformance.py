"""The NIR paper's reference cases, reproduced by the float executor."""

import numpy as np
import pytest

from sc_neurocore.frontend import read_nir
from sc_neurocore.passes.lower import lower
from sc_neurocore.sim import run_float


def test_lif_norse_reproduces_the_reference_trace(nir_paper):
    trace = np.loadtxt(nir_paper / "01_lif" / "lif_norse.csv", delimiter=",")
    network = lower(read_nir(nir_paper / "01_lif" / "lif_norse.nir"), dt=1e-4)
    result = run_float(network, trace[:, :1], record_voltages=True)
    voltage = result.voltages["1"][:, 0, 0]
    spikes = result.output[:, 0, 0]
    assert np.abs(voltage - trace[:, 1]).max() <= 1e-6
    assert int((spikes != trace[:, 2]).sum()) == 0
    assert spikes.sum() == 4


@pytest.mark.parametrize("dt, peak", [(1e-3, 0.118), (1e-4, 0.012), (1e-5, 0.001)])
def test_two_lif_neurons_peak_voltage_depends_on_dt(nir_paper, dt, peak):
    graph = read_nir(nir_paper / "01_lif" / "debug_spike_representation" / "two_lif_neurons.nir")
    network = lower(graph, dt=dt)
    steps = int(round(0.02 / dt))
    result = run_float(network, np.zeros((steps, 1)), record_voltages=True)
    assert result.outputs["lif1"].sum() >= 1  # the first neuron fires on its own
    assert result.voltages["lif2"].max() == pytest.approx(peak, rel=0.2)


@pytest.mark.parametrize("name, hidden", [("braille_noDelay_bias_zero.nir", 38), ("braille_noDelay_noBias_subtract.nir", 40)])
def test_braille_graphs_simulate_with_the_right_shapes(nir_paper, name, hidden):
    network = lower(read_nir(nir_paper / "03_rnn" / name), dt=1e-4)
    assert [p.name for p in network.populations] == ["lif1.lif", "lif2"]
    assert network.population("lif1.lif").projections[1].recurrent or network.population("lif1.lif").projections[0].recurrent
    inputs = (np.random.default_rng(0).random((50, 3, 12)) < 0.3).astype(float)
    result = run_float(network, inputs)
    assert result.outputs["lif1.lif"].shape == (50, 3, hidden)
    assert result.output.shape == (50, 3, 7)
    assert result.outputs["lif1.lif"].sum() > 0
