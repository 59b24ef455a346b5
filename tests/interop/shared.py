"""What the interop tests share: the recurrent CubaLIF network they exchange, and the spike comparison."""

import nir
import numpy as np

from sc_neurocore.frontend import graph_from_nir


def recurrent_cuba_graph(cuba, rng, weight_scales: tuple[float, float, float]):
    """input -> fc1 -> lif1 (with lif1 -> rec -> lif1) -> fc2 -> lif2 -> output; ``cuba(n)`` makes a
    layer's CubaLIF, ``weight_scales`` are the standard deviations of fc1, rec and fc2 (drawn from ``rng``)."""
    fc1, rec, fc2 = weight_scales
    return graph_from_nir(nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type=np.array([12])),
            "fc1": nir.Affine(weight=rng.normal(0.0, fc1, (9, 12)), bias=np.zeros(9)),
            "lif1": cuba(9),
            "rec": nir.Linear(weight=rng.normal(0.0, rec, (9, 9))),
            "fc2": nir.Affine(weight=rng.normal(0.0, fc2, (5, 9)), bias=np.zeros(5)),
            "lif2": cuba(5),
            "output": nir.Output(output_type=np.array([5])),
        },
        edges=[("input", "fc1"), ("fc1", "lif1"), ("lif1", "rec"), ("rec", "lif1"), ("lif1", "fc2"),
               ("fc2", "lif2"), ("lif2", "output")],
    ))


def assert_identical_layers(theirs, ours, more_than: int = 50):
    """Both layers' spikes the same bit for bit, each with enough spikes that the comparison proves something."""
    assert len(theirs) == len(ours) == 2
    for their_spikes, our_spikes in zip(theirs, ours):
        assert their_spikes.sum() > more_than
        np.testing.assert_array_equal(our_spikes, their_spikes)
