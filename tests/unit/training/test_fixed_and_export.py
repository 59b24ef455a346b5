"""Quantisation-aware forward == integer simulation; NIR export reproduces the float model."""

import numpy as np
import pytest

from sc_neurocore.sim.twins.quant import QuantSpec
from sc_neurocore.training import SpikingMLPClassifier, encode
from sc_neurocore.training.export import mlp_to_nir, write_nir
from sc_neurocore.sim.twins.mlp import FixedMLP


def _trained_like(readout, seed=0):
    model = SpikingMLPClassifier([12, 16, 4], readout=readout, tau=3.0, threshold=0.6, learn_threshold=True,
                       learn_tau=True, seed=seed)
    rng = np.random.default_rng(seed)
    for p in model.parameters():  # perturb away from the initial values
        p.value += rng.normal(0, 0.1, p.value.shape).astype(p.value.dtype)
    return model


@pytest.mark.parametrize("readout", ["spikes", "membrane"])
@pytest.mark.parametrize("encoding,frac", [("rate", None), ("direct", 4)])
def test_qat_forward_is_bit_true(readout, encoding, frac):
    model = _trained_like(readout)
    model.set_quant(QuantSpec(), frac)
    x = np.random.default_rng(1).integers(0, 17, (30, 12)) / 16.0
    enc = encode(x.astype(np.float32), encoding, 6, np.random.default_rng(2))
    logits = model.forward(enc)
    fixed = FixedMLP.from_model(model, input_frac_bits=frac)
    ints = fixed.run(enc)
    if readout == "spikes":
        np.testing.assert_array_equal(logits, ints)
    else:  # float32 mean of the readout membrane: back to integers on the last layer's grid
        grid = 2.0 ** -fixed.layers[-1].frac_bits
        np.testing.assert_array_equal(np.round(logits.astype(np.float64) * 6 / grid), ints)
    assert np.abs(logits).sum() > 0


def test_fixed_formats():
    fixed = FixedMLP.from_model(_trained_like("spikes"))
    for layer in fixed.layers:
        assert layer.weight.min() >= -128 and layer.weight.max() <= 127
        assert np.abs(layer.weight).max() >= 64  # the power-of-two scale uses the top bit
        assert layer.leak.dtype == np.int64 and np.all((layer.leak > 0) & (layer.leak < 65536))


def test_fixed_leak_floors_negative_membranes():
    model = SpikingMLPClassifier([1, 1], tau=2.0, threshold=100.0)
    model.linears[0].weight.value[:] = -1.0
    fixed = FixedMLP.from_model(model)
    out = fixed.run(np.ones((1, 1, 1)))
    assert out.shape == (1, 1)
    # one step: v = sat(-127); the leak of -127 is floor(-127 * 32768 / 65536) = -64, so v = -63 next step
    two = FixedMLP(fixed.layers[:1], fixed.spec, None)
    layer = two.layers[0]
    v = -127
    assert v - ((int(layer.leak[0]) * v) >> 16) == -63


def _simulate_nir(graph, x):
    """Reference Euler simulation of a chain graph with NIR semantics at the recorded dt."""
    import nir

    dt = float(graph.metadata["dt"])
    order, node = [], "input"
    nexts = dict(graph.edges)
    while node != "output":
        node = nexts[node]
        order.append(graph.nodes[node])
    signal = x.astype(np.float64)
    for n in order[:-1]:
        if isinstance(n, nir.Affine):
            signal = signal @ n.weight.T + n.bias
            continue
        v = np.zeros(signal.shape[1:])
        out = np.zeros_like(signal)
        for t in range(len(signal)):
            if isinstance(n, nir.IF):
                v = v + dt * n.r * signal[t]
            else:
                v = v + dt / n.tau * (n.v_leak - v + n.r * signal[t])
            if isinstance(n, nir.LI):
                out[t] = v
            else:
                z = v > n.v_threshold
                out[t] = z
                v = np.where(z, n.v_reset, v)
        signal = out
    return signal


@pytest.mark.parametrize("readout", ["spikes", "membrane"])
def test_nir_semantics_reproduce_the_model(readout, tmp_path):
    import nir

    model = _trained_like(readout)
    model.dt = 0.5
    for neuron in model.neurons:
        neuron.dt = 0.5
    path = write_nir(model, tmp_path / "mlp.nir", {"test_accuracy": 0.5})
    graph = nir.read(str(path))
    assert graph.metadata["dt"] == 0.5 and graph.metadata["test_accuracy"] == 0.5
    last = "lif1" if readout == "spikes" else "li1"
    assert sorted(graph.nodes) == sorted(["input", "fc0", "lif0", "fc1", last, "output"])
    x = encode(np.random.default_rng(3).random((20, 12)).astype(np.float32), "rate", 8, np.random.default_rng(4))
    expect = model.forward(x.astype(np.float32))
    trace = _simulate_nir(graph, x)
    got = trace.sum(axis=0) if readout == "spikes" else trace.mean(axis=0)
    np.testing.assert_allclose(got, expect, rtol=1e-4, atol=1e-4)


def test_if_layers_export_as_nir_if():
    import nir

    model = SpikingMLPClassifier([3, 2], tau=float("inf"))
    graph = mlp_to_nir(model)
    assert isinstance(graph.nodes["lif0"], nir.IF)
