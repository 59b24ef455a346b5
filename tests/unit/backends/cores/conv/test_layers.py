"""The convolution core's mapping, cycle model, emission and refusals, without tools."""

import json

import nir
import numpy as np
import pytest

from sc_neurocore.backends.cores.conv.layers import choose_lanes, conv_compute_cycles, conv_layers, layer_cycles, uses_conv_core
from sc_neurocore.backends.compile import compile_core
from sc_neurocore.backends.cores import core_for_network
from sc_neurocore.backends.cores.conv.design import emit_conv
from sc_neurocore.backends.deploy import deploy_core
from sc_neurocore.backends.flow.icestorm import Ice40Options
from sc_neurocore.cli.app import main
from sc_neurocore.errors import FitError, UnsupportedError
from sc_neurocore.frontend import graph_from_nir
from sc_neurocore.passes import quantise
from sc_neurocore.passes.lower import lower
from sc_neurocore.passes.pipeline import load_quantised
from sc_neurocore.report.throughput import CONV_CORE, CoreShape, CoreTiming, cycle_bounds
from sc_neurocore.sim.sc import sc_config

from tests.netbuild import small_cnn
from tests.netbuild import two_layer


@pytest.fixture
def cnn(nir_paper):
    return load_quantised(nir_paper / "02_cnn" / "cnn_sinabs.nir")[1]


def test_cnn_layers_walk_kernel_times_pooling_taps(cnn):
    layers = conv_layers(cnn)
    # conv 2x5x5; conv 16x3x3; sumpool 2x2 + conv 16x3x3; sumpool 2x2 + flatten + affine over 8x4x4; affine 256
    assert [(layer.size, layer.taps) for layer in layers] == [
        (4096, 2 * 25), (4096, 16 * 9), (512, 16 * 9 * 4), (256, 8 * 16 * 4), (10, 256)]
    assert sum(layer.weights.size for layer in layers) == 39584
    assert layers[3].weights.shape == (256, 8, 4, 4)  # the Affine as a kernel over the whole pooled map


def test_cycle_model_of_the_cnn(cnn):
    layers = conv_layers(cnn)
    assert choose_lanes(layers, cnn.weight_bits) == 2  # 8-bit weights, even channel counts
    assert choose_lanes(layers, 9) == 1  # two 9-bit weights do not share a 16-bit word
    cycles = [layer_cycles(layer.size, layer.taps, 2) for layer in layers]
    # per layer S_LAYER + S_LINIT; per window of 2 channels taps + 6 + 2 * 7; the input wipe (2312),
    # the closing S_LAYER, S_EOS and the cycle out_eos is seen
    expected = (2 + 2048 * 70) + (2 + 2048 * 164) + (2 + 256 * 596) + (2 + 128 * 532) + (2 + 5 * 276) + 2312 + 3
    assert conv_compute_cycles(cnn.input_size, cycles) == expected == 703_609


def test_emission_is_deterministic_and_records_the_core(cnn):
    first, second = emit_conv(cnn), emit_conv(cnn)
    assert first.files == second.files
    manifest = json.loads(first.files["manifest.json"])
    assert manifest["core"] == "snn_conv_core" and manifest["top_level_io_bits"] <= 39
    assert manifest["memories"]["weight_words"] == 39584 and manifest["lanes"] == 2
    assert len(first.files["weights.mem"].splitlines()) == manifest["memories"]["spram_weight_words"] == 39584 // 2
    assert first.memory_files == ("bias.mem",)  # the weights reach SPRAM through the host stream


def test_dispatch_picks_the_conv_core_only_for_conv_networks(cnn, tmp_path):
    dense = quantise(lower(graph_from_nir(two_layer("IF", "IF"))))
    assert uses_conv_core(cnn) and not uses_conv_core(dense)
    assert "snn_core.sv" in compile_core(core_for_network(dense), tmp_path / "dense").plan.sources
    assert "snn_conv_core.sv" in compile_core(core_for_network(cnn), tmp_path / "cnn").plan.sources


def test_cli_compiles_the_cnn(nir_paper, tmp_path, capsys):
    out = tmp_path / "cnn"
    assert main(["compile", str(nir_paper / "02_cnn" / "cnn_sinabs.nir"), "-o", str(out)]) == 0
    assert (out / "snn_conv_core.sv").is_file() and (out / "spram_16k16.sv").is_file()
    capsys.readouterr()


def test_refusals_name_the_problem(cnn, tmp_path):
    with pytest.raises(UnsupportedError, match="--arith sc has no convolution core"):
        compile_core(core_for_network(cnn, sc_config(64)), tmp_path / "sc")
    with pytest.raises(FitError, match="SPRAM.*hx8k"):
        deploy_core(core_for_network(cnn), tmp_path / "hx8k", Ice40Options(device="hx8k"))
    wide = quantise(lower(graph_from_nir(small_cnn())), state_bits=20)
    with pytest.raises(UnsupportedError, match="16-bit SPRAM words"):
        emit_conv(wide)


def test_current_based_neurons_are_refused_by_name():
    graph = small_cnn()
    shape = (4, 6, 6)  # small_cnn's first layer
    graph.nodes["n1"] = nir.CubaLIF(tau_syn=np.full(shape, 1e-3), tau_mem=np.full(shape, 2e-3), r=np.ones(shape),
                                    v_leak=np.zeros(shape), v_threshold=np.ones(shape), v_reset=np.zeros(shape),
                                    w_in=np.ones(shape))
    with pytest.raises(UnsupportedError, match="population 'n1'.*synaptic current"):
        conv_layers(quantise(lower(graph_from_nir(graph))))


def test_report_times_a_conv_build_with_its_own_schedule(cnn):
    manifest = emit_conv(cnn).manifest
    shape, timing = CoreShape.from_manifest(manifest), CoreTiming.from_manifest(manifest)
    assert timing == CONV_CORE
    assert shape == CoreShape.from_network(cnn)  # `report --model` accepts the model the build came from
    bounds = cycle_bounds(shape, timing)
    assert bounds == (manifest["cycles_per_step"]["min"], manifest["cycles_per_step"]["max"])
    assert bounds[0] == conv_compute_cycles(cnn.input_size, [p["cycles_per_step"] for p in manifest["populations"]]) + 1
