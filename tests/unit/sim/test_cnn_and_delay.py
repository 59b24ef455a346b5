"""The NIR paper's N-MNIST CNN and Delay nodes run in both executors; the hardware path refuses them clearly."""

import nir
import numpy as np
import pytest

from sc_neurocore.backends.cores.network.design import emit
from sc_neurocore.errors import UnsupportedError
from sc_neurocore.frontend import graph_from_nir, read_nir
from sc_neurocore.passes import quantise
from sc_neurocore.passes.lower import lower
from sc_neurocore.sim import run_fixed, run_float


@pytest.fixture(scope="module")
def cnn(request):
    from tests.conftest import NIR_PAPER

    return lower(read_nir(NIR_PAPER / "02_cnn" / "cnn_sinabs.nir"), dt=1e-4)


def test_cnn_simulates_in_float_and_fixed_with_the_right_shapes(cnn):
    sizes = {pop.name: pop.size for pop in cnn.populations}
    assert sizes == {"1": 16 * 16 * 16, "3": 16 * 16 * 16, "6": 8 * 8 * 8, "10": 256, "12": 10}
    inputs = (np.random.default_rng(0).random((12, 2, 2 * 34 * 34)) < 0.2).astype(float)
    exact = run_float(cnn, inputs)
    fixed = run_fixed(quantise(cnn, weight_bits=8, state_bits=16), inputs)
    assert exact.output.shape == fixed.output.shape == (12, 2, 10)
    for name in sizes:
        assert exact.outputs[name].sum() > 0, name
        assert (exact.outputs[name] == fixed.outputs[name]).mean() >= 0.85, name
    wide = run_fixed(quantise(cnn, weight_bits=16, state_bits=24), inputs)
    assert (wide.outputs["1"] == exact.outputs["1"]).mean() >= 0.999


def test_cnn_hardware_emission_refuses_the_large_convolution(cnn):
    with pytest.raises(UnsupportedError, match="4096 x 2312 convolution"):
        emit(quantise(cnn))


def _delay_graph(delay, weight=None):
    n = len(delay)
    middle = [nir.Delay(np.asarray(delay))] if weight is None else [nir.Linear(weight), nir.Delay(np.asarray(delay))]
    return nir.NIRGraph.from_list(nir.Input(np.array([n])), *middle, nir.IF(r=np.ones(n), v_threshold=np.full(n, 0.5),
                                  v_reset=np.zeros(n)), nir.Output(np.array([n])))


def test_delay_shifts_spikes_by_round_delay_over_dt_in_both_executors():
    network = lower(graph_from_nir(_delay_graph([0.0, 2e-4, 5.1e-4])), dt=1e-4)
    inputs = np.zeros((10, 3))
    inputs[1] = 1
    for result in (run_float(network, inputs), run_fixed(quantise(network), inputs)):
        fired = result.output[:, 0, :]
        assert [int(np.flatnonzero(fired[:, i])[0]) for i in range(3)] == [1, 3, 6]
        assert fired.sum() == 3


def test_weighted_delay_runs_in_float_and_is_refused_by_fixed_and_hardware():
    network = lower(graph_from_nir(_delay_graph([1e-4, 1e-4], weight=np.full((2, 2), 0.4))), dt=1e-4)
    delay = network.populations[0]
    assert delay.kind == "Delay" and not delay.spiking
    result = run_float(network, np.ones((4, 2)))
    np.testing.assert_allclose(result.outputs[delay.name][:, 0, 0], [0.0, 0.8, 0.8, 0.8])
    with pytest.raises(Exception, match="non-spiking output"):
        quantise(network)
    spiking = quantise(lower(graph_from_nir(_delay_graph([1e-4, 1e-4])), dt=1e-4))
    with pytest.raises(UnsupportedError, match="is a Delay"):
        emit(spiking)


@pytest.mark.parametrize("start, end, shape", [(0, -1, (24,)), (1, 2, (2, 12)), (-2, -1, (2, 12)), (0, 1, (6, 4))])
def test_flatten_start_and_end_dim_follow_nir(start, end, shape):
    graph = nir.NIRGraph.from_list(
        nir.Input(np.array([2, 3, 4])), nir.Flatten(np.array([2, 3, 4]), start_dim=start, end_dim=end),
        nir.Output(np.array(shape)),
    )
    flat = graph_from_nir(graph).nodes["flatten"]
    assert flat.shape_out == shape
