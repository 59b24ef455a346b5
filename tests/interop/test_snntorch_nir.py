"""snnTorch 1.0.0 -> its own NIR export -> sc-neurocore, compared with snnTorch's own simulation.

Reset to zero means the same thing in both (snnTorch zeroes the membrane before the next decay, we
zero it after the spike): spikes must be identical. snnTorch's reset by subtraction removes the
threshold one step later and undecayed (reset_delay=True, see sc_neurocore.presets); there we assert
the measured agreement bound instead.
"""

import numpy as np
import pytest

from tests.conftest import require_module

torch = require_module("torch")
snn = require_module("snntorch")
require_module("nirtorch")

from snntorch import utils  # noqa: E402
from snntorch.export_nir import export_to_nir  # noqa: E402

from sc_neurocore.frontend import graph_from_nir  # noqa: E402
from sc_neurocore.network import lower  # noqa: E402
from sc_neurocore.presets import get_preset  # noqa: E402
from sc_neurocore.sim import run_float  # noqa: E402

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


def _snntorch_run(net, inputs):
    """snnTorch's own time loop, in float64 so that both sides round alike."""
    net = net.double()
    utils.reset(net)
    outs = {1: [], 3: []}
    with torch.no_grad():
        for t in range(inputs.shape[0]):
            h = inputs[t]
            for index, module in enumerate(net):
                h = module(h).double()
                if index in outs:
                    outs[index].append(h)
    return {k: torch.stack(v).numpy() for k, v in outs.items()}


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
