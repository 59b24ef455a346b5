"""The host stream port's shared parts beyond the registry walk: the word codecs, the FIFO size rule, and
an event core whose output words carry values (a non-spiking output population), negative ones too."""

import nir
import numpy as np
import pytest

from sc_neurocore.backends.build.stream import fifo_depth, lane_words, pack_words, unpack_words, words_lanes
from sc_neurocore.backends.cores.conv.core import ConvCore
from sc_neurocore.backends.cores.network.core import NetworkCore
from sc_neurocore.backends.cosim import stream_cosimulate
from sc_neurocore.frontend import graph_from_nir
from sc_neurocore.passes.lower import lower
from sc_neurocore.passes.quantise import quantise


def test_fifo_depth_is_the_next_power_of_two_that_holds_a_burst():
    assert [fifo_depth(b) for b in (1, 2, 3, 6, 8, 9, 192)] == [2, 2, 4, 8, 8, 16, 256]


def test_word_codecs_round_trip_seeded_fields():
    rng = np.random.default_rng(7)
    for bits, count in ((1, 8), (20, 2), (24, 1)):
        values = rng.integers(-(1 << (bits - 1)) if bits > 1 else 0, 1 << (bits - 1) if bits > 1 else 2, count)
        word = pack_words(values, bits)
        assert 0 <= word < 1 << (bits * count)
        assert unpack_words(word, count, bits, signed=bits > 1) == [int(v) for v in values]
    spikes = rng.random(24) < 0.5
    assert lane_words(spikes, 4)[0] == sum(int(b) << i for i, b in enumerate(spikes[:4]))
    np.testing.assert_array_equal(words_lanes(lane_words(spikes, 4), 4), spikes.astype(np.int64))


def _leaky_readout() -> NetworkCore:
    """6 inputs -> 4 leaky integrators (no spikes): every step emits every neuron's membrane, some negative."""
    rng = np.random.default_rng(0)
    graph = nir.NIRGraph.from_list(
        nir.Input(np.array([6])), nir.Affine(rng.normal(0.0, 0.8, (4, 6)), np.zeros(4)),
        nir.LI(tau=np.full(4, 3e-3), r=np.ones(4), v_leak=np.zeros(4)), nir.Output(np.array([4])))
    return NetworkCore(quantise(lower(graph_from_nir(graph))))


def test_a_non_spiking_output_sends_its_values_in_the_words():
    core = _leaky_readout()
    stimulus = np.random.default_rng(1).random((5, 6)) < 0.5
    stream = core.emit(stimulus).manifest["stream"]
    assert stream["out_value_bits"] == core.net.state_bits and stream["out_value_signed"]
    (words,) = core.expected_stream_output(stimulus)
    assert len(words) == 5 * (4 + 1)  # every neuron every step, and the end-of-step word
    (values,) = core.twin_outputs(stimulus)
    assert values.min() < 0 < values.max()
    np.testing.assert_array_equal(core.stream_outputs(words), values)


@pytest.mark.cosim
@pytest.mark.parametrize("seed", [5, 6])
def test_a_non_spiking_output_streams_bit_true(seed, icarus, tmp_path):
    core = _leaky_readout()
    stimulus = np.random.default_rng(1).random((5, 6)) < 0.5
    result = stream_cosimulate(core, tmp_path, stimulus, seed=seed, stall_cycles=300)
    assert result.words == result.expected, result.first_mismatch()
    assert result.status == 0


def _conv_output_layer() -> ConvCore:
    """2x5x5 -> conv 3x3 p1 -> 4x5x5 IF as the output: two lanes update channel pairs position by position."""
    rng = np.random.default_rng(0)
    shape = (4, 5, 5)
    nodes = {
        "input": nir.Input(np.array([2, 5, 5])),
        "conv": nir.Conv2d(input_shape=(5, 5), weight=rng.normal(0.4, 0.5, (4, 2, 3, 3)), stride=1, padding=1,
                           dilation=1, groups=1, bias=rng.normal(0, 0.1, 4)),
        "out": nir.IF(r=np.ones(shape), v_threshold=np.full(shape, 0.8), v_reset=np.zeros(shape)),
        "output": nir.Output(np.array(shape)),
    }
    names = list(nodes)
    return ConvCore(quantise(lower(graph_from_nir(nir.NIRGraph(nodes=nodes, edges=list(zip(names, names[1:])))))))


def test_a_convolution_output_layer_emits_its_events_in_the_lanes_order():
    core = _conv_output_layer()
    assert core.emit().manifest["lanes"] == 2
    order = core._output_order()
    assert sorted(order) == list(range(100)) and order[:4] == [0, 25, 1, 26]
    stimulus = np.random.default_rng(2).random((3, 50)) < 0.3
    (words,) = core.expected_stream_output(stimulus)
    np.testing.assert_array_equal(core.stream_outputs(words), core.twin_outputs(stimulus)[0])


@pytest.mark.cosim
def test_a_convolution_output_layer_streams_bit_true(icarus, tmp_path):
    core = _conv_output_layer()
    stimulus = np.random.default_rng(2).random((3, 50)) < 0.3
    result = stream_cosimulate(core, tmp_path, stimulus, seed=1)
    assert len(result.expected) > 3 * 25, "the layer must fire"
    assert result.words == result.expected, result.first_mismatch()
    assert result.status == 0
