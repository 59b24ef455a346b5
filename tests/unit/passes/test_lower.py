import nir
import numpy as np
import pytest

from sc_neurocore.errors import InputError
from sc_neurocore.frontend import graph_from_nir
from sc_neurocore.passes import quantise
from sc_neurocore.passes.lower import lower
from sc_neurocore.sim import run_fixed, run_float

from tests.netbuild import two_layer


def test_synaptic_chains_compose_into_one_projection():
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(6, 4)), rng.normal(size=(5, 6))
    bias_a, scale = rng.normal(size=6), rng.normal(size=5)
    graph = nir.NIRGraph.from_list(
        nir.Input(np.array([4])), nir.Affine(a, bias_a), nir.Linear(b), nir.Scale(scale),
        nir.LIF(tau=np.full(5, 1e-3), r=np.ones(5), v_leak=np.zeros(5), v_threshold=np.ones(5), v_reset=np.zeros(5)),
        nir.Output(np.array([5])),
    )
    (projection,) = lower(graph_from_nir(graph)).populations[0].projections
    np.testing.assert_allclose(projection.weight, scale[:, None] * (b @ a))
    np.testing.assert_allclose(projection.bias, scale * (b @ bias_a))


def test_linear_readout_without_neuron_becomes_a_readout_population():
    graph = nir.NIRGraph.from_list(
        nir.Input(np.array([3])), nir.Linear(np.ones((2, 3))), nir.IF(r=np.ones(2), v_threshold=np.ones(2), v_reset=np.zeros(2)),
        nir.Linear(np.full((4, 2), 0.5)), nir.Output(np.array([4])),
    )
    network = lower(graph_from_nir(graph))
    assert [p.kind for p in network.populations] == ["IF", "Readout"]
    result = run_float(network, np.ones((3, 3)))
    np.testing.assert_allclose(result.output[:, 0, 0], [1.0, 1.0, 1.0])  # both IF fire each step (3 > 1): 2 x 0.5


def test_bad_options_are_clear_errors():
    good = graph_from_nir(two_layer("LIF", "LIF"))
    with pytest.raises(InputError, match="--dt"):
        lower(good, dt=-1)
    with pytest.raises(InputError, match="smaller --dt"):
        lower(good, dt=1.0)
    with pytest.raises(InputError, match="spike condition"):
        lower(good, spike_condition="maybe")


@pytest.mark.parametrize("hidden", ["LIF", "IF", "CubaLIF", "Threshold"])
def test_fixed_point_tracks_float_with_wide_formats(hidden):
    network = lower(graph_from_nir(two_layer(hidden, "LIF")), dt=1e-4)
    inputs = (np.random.default_rng(1).random((60, 4, 12)) < 0.3).astype(float)
    exact = run_float(network, inputs)
    fixed = run_fixed(quantise(network, weight_bits=16, state_bits=24), inputs)
    hidden_name = network.populations[0].name
    agreement = (exact.outputs[hidden_name] == fixed.outputs[hidden_name]).mean()
    assert exact.outputs[hidden_name].sum() > 0
    assert agreement >= 0.97


def test_fixed_mode_refuses_non_spike_input():
    network = quantise(lower(graph_from_nir(two_layer("LIF", "LIF"))))
    with pytest.raises(InputError, match="0 or 1"):
        run_fixed(network, np.full((3, 12), 0.5))


def test_quantised_parameters_fit_their_formats():
    qnet = quantise(lower(graph_from_nir(two_layer("CubaLIF", "LI"))), weight_bits=6, state_bits=12)
    for pop in qnet.populations:
        for proj in pop.projections:
            assert np.abs(proj.weight).max() <= 31
        assert np.abs(pop.v_threshold).max() < 1 << 11
        assert 0 <= pop.k_mem.min() and pop.k_mem.max() <= 1 << 16
