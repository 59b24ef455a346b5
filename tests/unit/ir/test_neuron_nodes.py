"""Every neuron node is an ir.Neuron: a population shaped like the parameter array its SHAPE_FROM names."""

from dataclasses import fields

import numpy as np
import pytest

from sc_neurocore.ir import nodes as ir


@pytest.mark.parametrize("neuron", ir.NEURON_TYPES, ids=lambda t: t.__name__)
def test_a_neuron_is_shaped_like_its_named_parameter(neuron):
    names = [f.name for f in fields(neuron)]
    assert issubclass(neuron, ir.Neuron) and neuron.SHAPE_FROM in names
    node = neuron(**{name: np.zeros((3, 4) if name == neuron.SHAPE_FROM else (1,)) for name in names})
    assert node.shape_in == node.shape_out == (3, 4)
    assert set(node.arrays()) == set(names)  # SHAPE_FROM is no field
