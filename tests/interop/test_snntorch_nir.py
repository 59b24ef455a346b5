"""snnTorch 1.0.0 -> its own NIR export -> sc-neurocore, compared with snnTorch's own simulation, and our
export back through snnTorch's `import_from_nir`.

Leaky's reset to zero means the same thing in both (snnTorch zeroes the membrane before the next decay,
we zero it after the spike): spikes must be identical, for a 12-9-5 Linear net and a
Conv2d-Leaky-AvgPool2d-Flatten-Linear-Leaky net. snnTorch's reset by subtraction removes the threshold
one step later and undecayed (reset_delay=True, see sc_neurocore.presets); there we assert the measured
agreement bound instead.

Synaptic and RSynaptic (CubaLIF, the latter with a recurrent Linear) reset to zero one step late by
default, and then zero the whole new membrane, that step's input included; RSynaptic's reset_delay=False
only touches a local variable. Applied by hand as asked (the membrane zeroed in the step that fired),
spikes are identical; as shipped, the measured bound holds.

snnTorch's importer builds Leaky/Synaptic with reset_delay=False and its own dt of 1e-4, so our export
under the snntorch preset reads back with identical spikes; it routes a recurrent layer's input through
the recurrent weight (a strict xfail records it).
"""

import contextlib
import io

import numpy as np
import pytest

from tests.conftest import require_module

torch = require_module("torch")
snn = require_module("snntorch")
require_module("nirtorch")

from snntorch import utils  # noqa: E402
from snntorch.export_nir import export_to_nir  # noqa: E402
from snntorch.import_nir import import_from_nir  # noqa: E402

from sc_neurocore.export import to_nir  # noqa: E402
from sc_neurocore.frontend import graph_from_nir  # noqa: E402
from sc_neurocore.ir import nodes as ir  # noqa: E402
from sc_neurocore.passes.lower import lower  # noqa: E402
from sc_neurocore.presets import get_preset  # noqa: E402
from sc_neurocore.sim import run_float  # noqa: E402

from tests.interop.shared import assert_identical_layers  # noqa: E402

pytestmark = pytest.mark.interop
STEPS, BATCH = 100, 4


def _network(reset: str):
    torch.manual_seed(0)
    layers = []
    for n_in, n_out in ((12, 9), (9, 5)):
        layers += [
            torch.nn.Linear(n_in, n_out),
            snn.Leaky(beta=torch.rand(n_out) * 0.3 + 0.65, threshold=torch.full((n_out,), 0.5),
                      reset_mechanism=reset, init_hidden=True),
        ]
    return torch.nn.Sequential(*layers)


def _snntorch_run(net, inputs, reset_as_asked=False):
    """Spikes [T, B, n] of every neuron module, by index: snnTorch's own time loop, in float64 so that both
    sides round alike. `reset_as_asked` zeroes the membrane in the step that fired (reset_delay=False)."""
    net = net.double()
    utils.reset(net)
    outs = {}
    with torch.no_grad():
        for t in range(inputs.shape[0]):
            h = inputs[t]
            for index, module in enumerate(net):
                h = module(h).double()
                if isinstance(module, snn.SpikingNeuron):
                    if reset_as_asked:
                        module.mem = module.mem * (1 - h)
                    if isinstance(module, snn.RSynaptic):
                        module.spk = h  # it feeds its float32 spikes back into the float64 recurrent Linear
                    outs.setdefault(index, []).append(h)
    return {k: torch.stack(v).flatten(2).numpy() for k, v in outs.items()}


def _compare(reset: str, our_reset: str):
    net = _network(reset)
    graph = graph_from_nir(export_to_nir(net, torch.zeros(12)))
    preset = get_preset("snntorch")
    network = lower(graph, dt=preset.dt, spike_condition=preset.spike_condition, reset_mode=our_reset)
    inputs = (torch.rand(STEPS, BATCH, 12, generator=torch.Generator().manual_seed(1)) < 0.3).double()
    theirs = _snntorch_run(net, inputs)
    ours = run_float(network, inputs.numpy()).outputs
    return [(theirs[i], ours[name]) for i, name in ((1, "1"), (3, "3"))]


def test_reset_to_zero_gives_identical_spikes():
    for theirs, ours in _compare("zero", "zero"):
        assert theirs.sum() > 20
        np.testing.assert_array_equal(ours, theirs)


def test_reset_by_subtraction_agrees_within_the_measured_bound():
    (hidden_theirs, hidden_ours), (out_theirs, out_ours) = _compare("subtract", "subtract")
    hidden = (hidden_theirs == hidden_ours).mean()
    # measured 0.93 hidden / 0.93 output, spike counts 16 % / 21 % apart: the one-step-late, undecayed subtraction shifts later spikes
    assert hidden >= 0.9
    assert (out_theirs == out_ours).mean() >= 0.85
    assert abs(hidden_theirs.sum() - hidden_ours.sum()) / hidden_theirs.sum() <= 0.35


PRESET = get_preset("snntorch")


def _inputs(shape, seed=1):
    return (torch.rand(STEPS, BATCH, *shape, generator=torch.Generator().manual_seed(seed)) < 0.3).double()


def _ours(graph, inputs):
    """Our float spikes [T, B, n] of every population, in execution order; reset to zero as snnTorch's."""
    network = lower(graph, dt=PRESET.dt, spike_condition=PRESET.spike_condition, reset_mode="zero")
    result = run_float(network, inputs.flatten(2).numpy())
    return [result.outputs[pop.name] for pop in network.populations]


def _in_order(spikes: dict):
    return [spikes[index] for index in sorted(spikes)]


def _rsynaptic_net():
    torch.manual_seed(0)

    def decay(n):
        return torch.rand(n) * 0.3 + 0.6

    net = torch.nn.Sequential(
        torch.nn.Linear(12, 9),
        snn.RSynaptic(alpha=decay(9), beta=decay(9), threshold=torch.full((9,), 0.5), linear_features=9,
                      reset_mechanism="zero", init_hidden=True),
        torch.nn.Linear(9, 5),
        snn.Synaptic(alpha=decay(5), beta=decay(5), threshold=torch.full((5,), 0.5), reset_mechanism="zero",
                     init_hidden=True),
    )
    with torch.no_grad():  # moderate rates (10-14 %): Synaptic's gain is 1 / ((1 - alpha)(1 - beta))
        for linear, gain in ((net[0], 0.3), (net[1].recurrent, 0.5), (net[2], 0.5)):
            linear.weight.mul_(gain)
            linear.bias.mul_(0.1)
    return net


def _conv_net():
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Conv2d(2, 4, 3, padding=1),
        # NIR's type check wants neuron parameters of the full (C, H, W) shape
        snn.Leaky(beta=torch.rand(4, 8, 8) * 0.3 + 0.65, threshold=torch.full((4, 8, 8), 0.5),
                  reset_mechanism="zero", init_hidden=True),
        torch.nn.AvgPool2d(2), torch.nn.Flatten(), torch.nn.Linear(64, 6),
        snn.Leaky(beta=torch.rand(6) * 0.3 + 0.65, threshold=torch.full((6,), 0.5), reset_mechanism="zero",
                  init_hidden=True),
    )
    with torch.no_grad():
        net[0].weight.mul_(0.5)
        net[0].bias.mul_(0.2)
        net[4].weight.mul_(2.0)
    return net


def _rsynaptic_graph():
    with contextlib.redirect_stdout(io.StringIO()):  # the exporter prints warnings
        return graph_from_nir(export_to_nir(_rsynaptic_net(), torch.zeros(12)))


def _conv_graph():
    # a batched sample, and ignore_dims=[0] so that the NIR types carry no batch dimension
    return graph_from_nir(export_to_nir(_conv_net(), torch.zeros(1, 2, 8, 8), ignore_dims=[0]))


def test_rsynaptic_with_the_reset_it_asks_for_gives_identical_spikes():
    graph = _rsynaptic_graph()
    assert isinstance(graph.nodes["1.lif"], ir.CubaLIF) and ("1.w_rec", "1.lif") in graph.edges
    inputs = _inputs((12,))
    theirs = _in_order(_snntorch_run(_rsynaptic_net(), inputs, reset_as_asked=True))
    ours = _ours(graph, inputs)
    assert_identical_layers(theirs, ours, more_than=100)


def test_rsynaptic_as_shipped_agrees_within_the_measured_bound():
    """The late reset zeroes a membrane (and its input) one step after each spike: snnTorch fires less."""
    inputs = _inputs((12,))
    (hidden_theirs, out_theirs) = _in_order(_snntorch_run(_rsynaptic_net(), inputs))
    hidden_ours, out_ours = _ours(_rsynaptic_graph(), inputs)
    # measured: decisions agree 0.906 hidden / 0.864 output; snnTorch fires 183 / 38 spikes, we 353 / 272
    # (the output layer loses twice: half the hidden spikes arrive, and its own reset is late too)
    assert (hidden_theirs == hidden_ours).mean() >= 0.88
    assert (out_theirs == out_ours).mean() >= 0.84
    assert 0.45 <= hidden_theirs.sum() / hidden_ours.sum() <= 0.6
    assert 0.05 <= out_theirs.sum() / out_ours.sum() <= 0.25


def test_conv_net_gives_identical_spikes():
    inputs = _inputs((2, 8, 8))
    theirs = _in_order(_snntorch_run(_conv_net(), inputs))
    ours = _ours(_conv_graph(), inputs)
    assert_identical_layers(theirs, ours)


def _imported_run(graph, inputs):
    """Our export (snntorch preset) -> snnTorch's import_from_nir -> its spikes [T, B, n] by neuron module.

    One sample at a time, unbatched: the importer hands NIR's Flatten(start_dim=0), which counts no batch
    dimension, to torch.nn.Flatten, which would flatten a batch too.
    """
    with contextlib.redirect_stdout(io.StringIO()):
        module = import_from_nir(to_nir(graph, preset=PRESET, dt=PRESET.dt)).double()
    recorded = {}

    def record(name, out):
        out = out.double()  # its spikes come out float32; the layers that follow are float64
        recorded.setdefault(name, []).append(out)
        return out

    hooks = [
        neuron.register_forward_hook(lambda _m, _i, out, name=name: record(name, out))
        for name, neuron in module.named_modules() if isinstance(neuron, snn.SpikingNeuron)
    ]
    with torch.no_grad():
        for sample in range(inputs.shape[1]):
            utils.reset(module)
            state = None
            for t in range(inputs.shape[0]):
                _, state = module(inputs[t, sample], state)
    for hook in hooks:
        hook.remove()
    steps, batch = inputs.shape[:2]
    return [torch.stack(recorded[name]).reshape(batch, steps, -1).transpose(0, 1).numpy() for name in sorted(recorded)]


def _mlp_graph():
    return graph_from_nir(export_to_nir(_network("zero"), torch.zeros(12)))


@pytest.mark.parametrize("build, shape", [(_mlp_graph, (12,)), (_conv_graph, (2, 8, 8))], ids=["mlp-leaky", "conv-leaky"])
def test_our_export_reads_back_into_snntorch_with_identical_spikes(build, shape):
    graph = build()
    inputs = _inputs(shape)
    theirs, ours = _imported_run(graph, inputs), _ours(graph, inputs)
    assert_identical_layers(theirs, ours)


@pytest.mark.xfail(strict=True, raises=AssertionError,
                   reason="snnTorch 1.0.0's import_from_nir wires a recurrent layer as lif(W_rec(input + spikes)): "
                   "the input goes through the recurrent weight")
def test_our_recurrent_export_reads_back_into_snntorch():
    graph = _rsynaptic_graph()
    inputs = _inputs((12,))
    theirs, ours = _imported_run(graph, inputs), _ours(graph, inputs)
    for their_spikes, our_spikes in zip(theirs, ours):
        np.testing.assert_array_equal(our_spikes, their_spikes)
