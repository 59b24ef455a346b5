"""Every layer's backward pass against central finite differences (float64, relaxed surrogates)."""

import numpy as np
import pytest
from .train_gradcheck import check_module

from sc_neurocore.training import (
    TrainableIF, TrainableLI, TrainableLIF, LayerNorm, TrainableLinear, SpikingMLPClassifier, TimeMean, atan_surrogate, cross_entropy, mse,
    sigmoid_surrogate,
)
from sc_neurocore.training.modules.surrogate import SURROGATES

F64 = np.float64


def currents(shape, seed=1, scale=1.5):
    return np.random.default_rng(seed).standard_normal(shape) * scale


def test_linear():
    layer = TrainableLinear(5, 4, rng=np.random.default_rng(0), dtype=F64)
    check_module(layer, currents((3, 2, 5)))


def test_layer_norm():
    layer = LayerNorm(6, dtype=F64)
    layer.gamma.value[:] = np.linspace(0.5, 1.5, 6)
    check_module(layer, currents((3, 2, 6)))


def test_time_mean():
    check_module(TimeMean(scale=4.0), currents((4, 3, 2)))


@pytest.mark.parametrize("name", sorted(SURROGATES))
def test_lif_learnable_threshold_and_tau(name):
    layer = TrainableLIF(5, tau=3.0, threshold=0.8, learn_threshold=True, learn_tau=True,
                surrogate=SURROGATES[name]().relaxed(), dtype=F64)
    # a relaxed straight-through spike is s = u - theta: the reset v = u (1 - s) grows fast, keep it small
    scale = 0.3 if name == "straight_through" else 1.5
    check_module(layer, currents((6, 3, 5), scale=scale))


def test_if_layer():
    layer = TrainableIF(4, threshold=1.0, learn_threshold=True, surrogate=sigmoid_surrogate().relaxed(), dtype=F64)
    check_module(layer, currents((5, 2, 4)))


def test_lif_on_token_axes():
    layer = TrainableLIF(3, learn_threshold=True, learn_tau=True, surrogate=atan_surrogate().relaxed(), dtype=F64)
    check_module(layer, currents((4, 2, 5, 3)))


def test_li_learnable_tau():
    check_module(TrainableLI(4, tau=2.5, learn_tau=True, dtype=F64), currents((6, 3, 4)))


@pytest.mark.parametrize("readout", ["spikes", "membrane"])
def test_spiking_mlp(readout):
    model = SpikingMLPClassifier([6, 7, 3], readout=readout, learn_threshold=True, learn_tau=True,
                       surrogate=atan_surrogate().relaxed(), dtype=F64)
    check_module(model, currents((5, 2, 6), scale=1.0))


def test_threshold_gradient_is_minus_surrogate():
    """One step, one neuron: dL/dtheta = -g(u - theta) dL/ds."""
    sur = atan_surrogate()
    layer = TrainableLIF(1, threshold=0.5, learn_threshold=True, surrogate=sur, dtype=F64)
    x = np.array([[[0.7]]])
    layer.forward(x)
    layer.backward(np.ones_like(x))
    assert layer.threshold.grad[0] == pytest.approx(-sur.derivative(np.array(0.2)))


def test_cross_entropy_gradient():
    rng = np.random.default_rng(0)
    z, y = rng.standard_normal((4, 5)), np.array([0, 3, 1, 4])
    _, g = cross_entropy(z.copy(), y)
    for i, j in [(0, 0), (1, 3), (2, 2), (3, 1)]:
        zp, zm = z.copy(), z.copy()
        zp[i, j] += 1e-6
        zm[i, j] -= 1e-6
        assert g[i, j] == pytest.approx((cross_entropy(zp, y)[0] - cross_entropy(zm, y)[0]) / 2e-6, rel=1e-5)


def test_mse_gradient():
    rng = np.random.default_rng(0)
    x, t = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    loss, g = mse(x, t)
    assert loss == pytest.approx(np.mean((x - t) ** 2))
    xp = x.copy()
    xp[1, 2] += 1e-6
    assert g[1, 2] == pytest.approx((mse(xp, t)[0] - loss) / 1e-6, rel=1e-4)


def test_spike_driven_self_attention():
    from sc_neurocore.training import TrainableSpikformerSSA

    layer = TrainableSpikformerSSA(4, 2, rng=np.random.default_rng(0), surrogate=atan_surrogate().relaxed(),
                                     scale=0.5, dtype=F64)
    check_module(layer, currents((3, 2, 3, 4), scale=1.0))


def test_spiking_transformer():
    from sc_neurocore.training import SpikingTransformer

    model = SpikingTransformer(3, 2, 4, dim=4, heads=2, depth=1, attn_scale=0.5,
                               surrogate=atan_surrogate().relaxed(), dtype=F64)
    check_module(model, currents((3, 2, 6), scale=1.0))


def test_spiky_state_space():
    from sc_neurocore.training import LIFGatedStateSpace

    layer = LIFGatedStateSpace(3, 5, d_out=4, rng=np.random.default_rng(0), surrogate=atan_surrogate().relaxed(),
                            dtype=F64)
    check_module(layer, currents((5, 2, 3), scale=1.0))


def test_ssm_classifier():
    from sc_neurocore.training import SSMClassifier

    model = SSMClassifier(3, 4, d_model=5, d_state=6, depth=2, surrogate=atan_surrogate().relaxed(), dtype=F64)
    check_module(model, currents((4, 2, 3), scale=1.0))


def test_time_last():
    from sc_neurocore.training import TimeLast

    check_module(TimeLast(), currents((3, 2, 4)))
