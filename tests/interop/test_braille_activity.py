"""The NIR paper's Braille nets: our float hidden-layer activity against snnTorch 1.0.0's reading of the file.

The paper's input sample (one Braille test recording) is not among its reference files, so the input is
seeded Bernoulli spikes, 256 steps x 12 channels, 32 samples. The bound is measured, not chosen: the
paper's own platforms (`*_activity_*.npy`, one sample each) disagree with each other, pair by pair, by
the amounts `_pairwise` computes; our agreement with snnTorch must lie inside that spread.

snnTorch 1.0.0 cannot run the file through `import_from_nir` (nirtorch 2.6 recurses into the RSynaptic
subgraph and fails; see the strict xfail below), so "snnTorch's reading" is snnTorch's own per-node
converter (`snntorch.import_nir._nir_to_snntorch_module`, which gives fc1/fc2 -> Linear, lif1 ->
RSynaptic, lif2 -> Synaptic, thresholds rescaled by w_in*dt/tau_syn) wired along the file's edges and
run with explicit state (its init_hidden=True path crashes in RSynaptic.forward).

That RSynaptic asks for reset_delay=False but its forward applies the immediate reset to local
variables only, so the membrane is zeroed one step late, together with that step's input. With the
reset it asks for applied by hand, our spikes are identical; as shipped, the agreement is statistical.
"""

import contextlib
import io
import itertools

import numpy as np
import pytest

from tests.conftest import require_module


torch = require_module("torch")
require_module("snntorch")
require_module("nirtorch")

import nir  # noqa: E402
from snntorch import import_nir  # noqa: E402

from sc_neurocore.frontend import graph_from_nir  # noqa: E402
from sc_neurocore.passes.lower import lower  # noqa: E402
from sc_neurocore.sim import run_float  # noqa: E402

pytestmark = [pytest.mark.interop, pytest.mark.slow]
NETS = ("noDelay_bias_zero", "noDelay_noBias_subtract")
STEPS, SAMPLES, RATE = 256, 32, 0.1


def _snntorch_modules(path):
    graph = nir.read(str(path))
    with contextlib.redirect_stdout(io.StringIO()):  # the converter prints warnings
        graph = import_nir._replace_rnn_subgraph_with_nirgraph(graph)
        modules = {name: import_nir._nir_to_snntorch_module(node, init_hidden=False) for name, node in graph.nodes.items()}
    assert type(modules["lif1"]).__name__ == "RSynaptic" and graph.edges  # the recurrent subgraph was found
    return {name: modules[name].double() for name in ("fc1", "lif1", "fc2")}


def _snntorch_hidden(modules, inputs, reset_as_asked: bool):
    """lif1's spikes [T, B, n] from snnTorch's modules; `reset_as_asked` applies reset_delay=False by hand."""
    fc1, lif1 = modules["fc1"], modules["lif1"]
    spk = syn = mem = torch.zeros(inputs.shape[1], fc1.out_features, dtype=torch.float64)
    hidden = []
    with torch.no_grad():
        for t in range(inputs.shape[0]):
            spk, syn, mem = lif1(fc1(inputs[t]), spk, syn, mem)
            spk = spk.double()
            if reset_as_asked:
                mem = mem * (1 - spk)
            hidden.append(spk)
    return torch.stack(hidden).numpy()


def _ours(path, inputs):
    network = lower(graph_from_nir(nir.read(str(path))), dt=1e-4, spike_condition="gt", reset_mode="model")
    return run_float(network, inputs.numpy()).outputs["lif1.lif"]


def _inputs(rate, seed=1):
    return (torch.rand(STEPS, SAMPLES, 12, generator=torch.Generator().manual_seed(seed)) < rate).double()


def _metrics(a, b):
    """(relative spike-count difference, spike-train distance per spike, per-neuron count correlation)."""
    mean = (a.sum() + b.sum()) / 2
    return abs(a.sum() - b.sum()) / mean, np.abs(a - b).sum() / mean, np.corrcoef(a.sum(0), b.sum(0))[0, 1]


def _pairwise(rnn_dir, net):
    activities = []
    for path in sorted(rnn_dir.glob(f"*_activity_{net}.npy")):
        activity = np.load(path).astype(np.float64)
        activities.append(activity if activity.shape[0] == STEPS else activity.T)  # Lava's is [n, T]
    assert len(activities) >= 6
    return np.array([_metrics(a, b) for a, b in itertools.combinations(activities, 2)])


@pytest.mark.parametrize("net", NETS)
def test_snntorch_with_the_reset_it_asks_for_gives_identical_hidden_spikes(nir_paper, net):
    path = nir_paper / "03_rnn" / f"braille_{net}.nir"
    modules = _snntorch_modules(path)
    for rate in (0.05, 0.2):
        inputs = _inputs(rate)
        theirs = _snntorch_hidden(modules, inputs, reset_as_asked=True)
        assert theirs.sum() > 500
        np.testing.assert_array_equal(_ours(path, inputs), theirs)


@pytest.mark.parametrize("net", NETS)
def test_hidden_activity_agrees_with_snntorch_within_the_inter_platform_spread(nir_paper, net):
    rnn_dir = nir_paper / "03_rnn"
    path = rnn_dir / f"braille_{net}.nir"
    inputs = _inputs(RATE)
    theirs = _snntorch_hidden(_snntorch_modules(path), inputs, reset_as_asked=False)
    ours = _ours(path, inputs)
    ours_vs_snntorch = np.median([_metrics(theirs[:, i], ours[:, i]) for i in range(SAMPLES)], axis=0)
    platforms = _pairwise(rnn_dir, net)
    # measured (median over 32 samples): bias_zero 0.21 / 1.08 / 0.92, noBias_subtract 0.31 / 0.93 / 0.98;
    # platforms' spread (max, max, min over pairs): 0.46 / 1.76 / 0.70 and 0.38 / 1.93 / 0.42
    count, distance, correlation = ours_vs_snntorch
    assert count <= platforms[:, 0].max()
    assert distance <= platforms[:, 1].max()
    assert correlation >= platforms[:, 2].min()
    # tighter: the spike-train distance is below the median platform pair's (1.34 and 1.17)
    assert distance <= np.median(platforms[:, 1])
    assert (ours != theirs).any()  # the shipped reset does differ: this is a bound, not identity


@pytest.mark.xfail(strict=True, raises=AttributeError,
                   reason="snnTorch 1.0.0 import_from_nir + nirtorch 2.6 fail on the RSynaptic subgraph; "
                   "when this passes, use import_from_nir in the tests above")
def test_snntorch_import_from_nir_reads_the_braille_net(nir_paper):
    with contextlib.redirect_stdout(io.StringIO()):
        import_nir.import_from_nir(nir.read(str(nir_paper / "03_rnn" / "braille_noDelay_bias_zero.nir")))
