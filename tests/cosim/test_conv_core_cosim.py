"""snn_conv_core in Icarus (with yosys's SPRAM model) equals the fixed executor, every neuron update of every step.

Small networks cover what the NIR-paper CNN does not (padding on strided, unstrided and dilated
convolutions, bias, pooling that leaves source rows over, overlapping sum pooling before a dense layer,
pooling straight into neurons as a grouped convolution, leaky and non-spiking neurons, `ge` and reset by
subtraction, one and two lanes); the CNN itself runs a few steps of input busy enough to make every layer
fire. The cycle count of every run must equal the core's cycle model.
"""

import nir
import numpy as np
import pytest

from sc_neurocore.backends.cores.conv.core import ConvCore
from sc_neurocore.backends.cores.conv.layers import choose_lanes, conv_compute_cycles, conv_layers, layer_cycles
from sc_neurocore.backends.cosim import cosimulate
from sc_neurocore.frontend import graph_from_nir
from sc_neurocore.passes import quantise
from sc_neurocore.passes.lower import lower
from sc_neurocore.passes.pipeline import load_quantised

from tests.netbuild import conv_neurons, small_cnn

pytestmark = pytest.mark.cosim


def _check(qnet, spikes, tmp_path):
    result = cosimulate(ConvCore(qnet), tmp_path, spikes, timeout_s=3600)
    assert result.mismatches == 0, result.first_mismatch()
    assert len([line for line in result.rtl_lines if line.startswith("U")]) == len(spikes) * sum(
        p.size for p in qnet.populations)
    # the core's cycles are activity-independent: the model is exact for every step
    layers = conv_layers(qnet)
    lanes = choose_lanes(layers, qnet.weight_bits)
    cycles = [layer_cycles(layer.size, layer.taps, lanes) for layer in layers]
    assert result.cycles == len(spikes) * conv_compute_cycles(qnet.input_size, cycles)
    return result


def _fired(result, qnet, pop) -> int:
    base = sum(p.size for p in qnet.populations[: qnet.populations.index(pop)])
    return sum(1 for line in result.expected_lines
               if line.startswith("U") and line.endswith(" 1") and base <= int(line.split()[2]) < base + pop.size)


@pytest.mark.parametrize(
    "hidden, output, dilated, options",
    [("IF", "IF", False, {}), ("LIF", "LI", False, {}), ("IF", "IF", True, {}),
     ("IF", "IF", False, dict(spike_condition="ge", reset_mode="subtract"))],
)
def test_small_conv_network_is_bit_true(icarus, tmp_path, hidden, output, dilated, options):
    qnet = quantise(lower(graph_from_nir(small_cnn(hidden, output, dilated=dilated)), **options))
    assert any(np.any(layer.bias) for layer in conv_layers(qnet)), "the bias path must be exercised"
    assert choose_lanes(conv_layers(qnet), qnet.weight_bits) == (1 if dilated else 2)
    spikes = (np.random.default_rng(1).random((6, qnet.input_size)) < 0.3).astype(int)
    result = _check(qnet, spikes, tmp_path)
    for pop in qnet.populations:
        if pop.spiking:
            assert _fired(result, qnet, pop) > 0, f"population {pop.name!r} never fires: the test would prove little"


@pytest.mark.slow
def test_nir_paper_cnn_is_bit_true(icarus, tmp_path, nir_paper):
    _, qnet = load_quantised(nir_paper / "02_cnn" / "cnn_sinabs.nir")
    spikes = (np.random.default_rng(3).random((4, qnet.input_size)) < 0.2).astype(int)
    result = _check(qnet, spikes, tmp_path)
    assert len(result.rtl_lines) >= 4 * 8970 and choose_lanes(conv_layers(qnet), qnet.weight_bits) == 2
    for pop in qnet.populations:
        assert _fired(result, qnet, pop) > 0, f"layer {pop.name!r} never fires: the test would prove little"


def test_pooling_into_neurons_is_a_grouped_convolution(icarus, tmp_path):
    # SumPool2d -> IF has no convolution after the pooling: the pooling itself is the layer's (depthwise,
    # one group per channel) convolution, which exercises the core's per-group walk.
    rng = np.random.default_rng(2)
    nodes = {
        "input": nir.Input(np.array([3, 6, 6])),
        "c1": nir.Conv2d(input_shape=(6, 6), weight=rng.normal(0.4, 0.5, (3, 3, 3, 3)), stride=1, padding=1,
                         dilation=1, groups=1, bias=np.zeros(3)),
        "n1": conv_neurons("IF", (3, 6, 6), 0.6),
        "p1": nir.SumPool2d(kernel_size=np.array([3, 3]), stride=np.array([2, 2]), padding=np.array([1, 1])),
        "n2": conv_neurons("IF", (3, 3, 3), 1.5),
        "output": nir.Output(np.array([3, 3, 3])),
    }
    names = list(nodes)
    qnet = quantise(lower(graph_from_nir(nir.NIRGraph(nodes=nodes, edges=list(zip(names, names[1:]))))))
    assert conv_layers(qnet)[1].groups == 3 and choose_lanes(conv_layers(qnet), qnet.weight_bits) == 1
    spikes = (np.random.default_rng(1).random((6, qnet.input_size)) < 0.3).astype(int)
    result = _check(qnet, spikes, tmp_path)
    assert _fired(result, qnet, qnet.populations[1]) > 0
