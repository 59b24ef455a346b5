"""SystemVerilog emission for convolutional networks: `snn_conv_core` with its layer table and memory images.

The top level is one `snn_conv_core` instance (hdl/) whose LAYERS parameter holds the geometry of each
layer (cores/conv/layers.py); the bias table is an EBR image, and the weights are an image the host
streams into the core's SPRAM after reset (SPRAM has no initial contents), as the testbench does.
"""


import numpy as np

from sc_neurocore import __version__
from sc_neurocore.errors import FitError, UnsupportedError
from sc_neurocore.passes.quantise import COEF_SHIFT, QuantisedNetwork

from sc_neurocore.backends.build.plan import BuildPlan, TESTBENCH, TRACE_FILE, assemble_plan
from sc_neurocore.backends.build.templates import hex_word, library_files, memory_image, render_template
from sc_neurocore.backends.device import DEVICES, SPRAM_WORDS
from sc_neurocore.backends.cores.conv.layers import LAYER_FIELDS, ConvLayer, choose_lanes, conv_compute_cycles, conv_cycle_bounds, conv_layers, layer_cycles
from sc_neurocore.backends.cores.network.design import (
    STIMULUS_FILE, STIMULUS_WORD_BITS, TOP, WEIGHTS_FILE, default_spikes, layout, network_fields, stimulus_words,
)

__all__ = ["CONV_SOURCES", "CONV_MODULE", "BIAS_FILE", "emit_conv", "conv_context"]

CONV_MODULE = "snn_conv_core"  # the core module; manifests name it under "core"
CONV_SOURCES = ("sc_top.sv", "snn_conv_core.sv", "conv_countdown.sv", "snn_neuron_update.sv", "spram_16k16.sv")
BIAS_FILE = "bias.mem"
SPRAM_BLOCKS = DEVICES["up5k"].spram  # the most any iCE40 has


def _vector(entries, bits: int) -> str:
    """A packed parameter with entry k at [bits*k +: bits] (the last entry is written first)."""
    entries = list(entries)
    word = 0
    for value in reversed(entries):
        word = (word << bits) | (int(value) & ((1 << bits) - 1))
    return f"{bits * len(entries)}'h{word:0{(bits * len(entries) + 3) // 4}x}"


def _acc_bits(net: QuantisedNetwork, layers: list[ConvLayer]) -> int:
    """Bits that hold any neuron's sum: every tap's |weight| once per pooling tap, plus the bias."""
    largest = max(
        int(np.abs(layer.weights).reshape(layer.out_shape[0], -1).sum(axis=1).max()) * layer.pool[0] * layer.pool[1]
        + int(np.abs(layer.bias).max(initial=0)) for layer in layers
    )
    return max(net.state_bits, int(np.ceil(np.log2(largest + 1))) + 1)


def _weight_words(layer: ConvLayer, lanes: int, weight_bits: int) -> np.ndarray:
    """The layer's weights as SPRAM words: per block of `lanes` output channels, one word per tap, lane k's
    weight at bits [weight_bits*k +: weight_bits]."""
    taps = layer.weights.reshape(layer.out_shape[0] // lanes, lanes, -1) & ((1 << weight_bits) - 1)
    return sum(taps[:, k, :] << (weight_bits * k) for k in range(lanes)).reshape(-1)


def _check_widths(net: QuantisedNetwork) -> None:
    if net.weight_bits > 16 or net.state_bits > 16:
        raise UnsupportedError(
            "the convolution core keeps weights and membranes in 16-bit SPRAM words: use --weight-bits and "
            f"--state-bits of at most 16 (got {net.weight_bits}, {net.state_bits})"
        )


def _check_fit(n_neurons: int, w_depth: int) -> None:
    if n_neurons > SPRAM_WORDS:
        raise FitError(f"the network has {n_neurons} neurons; the convolution core's membrane SPRAM holds {SPRAM_WORDS}")
    banks = -(-w_depth // SPRAM_WORDS)
    if banks + 1 > SPRAM_BLOCKS:
        raise FitError(f"the weights take {w_depth} SPRAM words: with the membranes that needs {banks + 1} SPRAM "
                       f"blocks, an iCE40 UP5K has {SPRAM_BLOCKS}")


def _layer_fields(layer: ConvLayer, lanes: int, bases: dict) -> list[int]:
    """The layer's row of the core's LAYERS table, in LAYER_FIELDS order; `bases` holds the memory offsets."""
    kernel = layer.weights.shape
    values = {
        **bases, "size": layer.size // lanes,
        "out_h": layer.out_shape[1], "out_w": layer.out_shape[2], "out_plane": layer.out_shape[1] * layer.out_shape[2],
        "group_in": kernel[1], "group_out": layer.out_shape[0] // layer.groups, "k_h": kernel[2], "k_w": kernel[3],
        "stride_h": layer.stride[0], "stride_w": layer.stride[1], "dil_h": layer.dilation[0], "dil_w": layer.dilation[1],
        "pad_top": layer.pads[0], "pad_left": layer.pads[1], "pooled_h": layer.pooled[1], "pooled_w": layer.pooled[2],
        "pool_h": layer.pool[0], "pool_w": layer.pool[1],
        "pool_stride_h": layer.pool_stride[0], "pool_stride_w": layer.pool_stride[1],
        "pool_dil_h": layer.pool_dilation[0], "pool_dil_w": layer.pool_dilation[1],
        "pool_pad_top": layer.pool_pads[0], "pool_pad_left": layer.pool_pads[1],
        "src_h": layer.src_shape[1], "src_w": layer.src_shape[2], "plane": layer.src_shape[1] * layer.src_shape[2],
        "kernel_size": kernel[1] * kernel[2] * kernel[3], "group_plane": kernel[1] * layer.src_shape[1] * layer.src_shape[2],
    }
    for name, value in values.items():
        if not 0 <= value < 1 << 16:
            raise FitError(f"population {layer.name!r}: {name} = {value} does not fit the core's 16-bit layer table")
    return [int(values[name]) for name in LAYER_FIELDS]


def _neuron_word(pop, sb: int) -> int:
    """{k_mem(17), k_syn(17), v_leak, v_th, v_reset}: one parameter set per layer (uniform, see conv_layers)."""
    word = 0
    for value, bits in ((pop.k_mem[0], 17), (pop.k_syn[0], 17), (pop.v_leak[0], sb), (pop.v_threshold[0], sb),
                        (pop.v_reset[0], sb)):
        if bits == sb and abs(int(value)) >= 1 << (sb - 1):
            raise FitError(f"population {pop.name!r}: a threshold, reset or leak does not fit {sb} state bits")
        word = (word << bits) | (int(value) & ((1 << bits) - 1))
    return word


def conv_context(net: QuantisedNetwork) -> dict:
    """Everything the conv top level and testbench templates need, plus the memory images."""
    assert COEF_SHIFT == 16  # snn_neuron_update shifts decay products by 16
    _check_widths(net)
    layers = conv_layers(net)
    lanes = choose_lanes(layers, net.weight_bits)
    sb = net.state_bits
    bitmap_base = {"input": 0}
    bitmap, weight_base, channel_base, neuron_base = net.input_size, 0, 0, 0
    fields, neuron_words, weights = [], [], []
    for layer, pop in zip(layers, net.populations):
        bases = {"neuron_base": neuron_base, "out_bitmap": bitmap, "src_bitmap": bitmap_base[layer.source],
                 "weight_base": weight_base, "channel_base": channel_base,
                 "flags": int(pop.spiking) | int(pop.reset_subtract) << 2}
        fields.extend(_layer_fields(layer, lanes, bases))
        neuron_words.append(_neuron_word(pop, sb))
        weights.append(_weight_words(layer, lanes, net.weight_bits))
        bitmap_base[layer.name] = bitmap
        bitmap += layer.size
        weight_base += weights[-1].size
        channel_base += layer.out_shape[0]
        neuron_base += layer.size
    _check_fit(neuron_base, weight_base)
    ab = _acc_bits(net, layers)
    out_pop = [p.name for p in net.populations].index(net.output)
    output = net.populations[out_pop]
    in_w = max(1, int(np.ceil(np.log2(net.input_size))))
    return {
        "version": __version__, "top": TOP, "layers": layers, "lanes": lanes, "n_pops": len(layers),
        "n_fields": len(LAYER_FIELDS), "n_neurons": neuron_base, "w_depth": weight_base, "bm_depth": bitmap,
        "n_chan": channel_base, "in_size": net.input_size, "out_pop": out_pop, "wb": net.weight_bits, "sb": sb, "ab": ab,
        "spike_ge": int(net.spike_condition == "ge"), "in_w": in_w, "dw": max(in_w, lanes * net.weight_bits),
        "out_w": max(1, int(np.ceil(np.log2(output.size)))), "nw": max(1, int(np.ceil(np.log2(neuron_base)))),
        "out_value": not output.spiking,
        "layer_table": _vector(fields, 16), "neuron_params": _vector(neuron_words, 34 + 3 * sb),
        "pops": [{"name": p.name, "kind": p.kind, "size": p.size, "base": b}
                 for p, b in zip(net.populations, layout(net).neuron_base)],
        "summary": " -> ".join([str(net.input_size)] + [f"{p.size} {p.kind}" for p in net.populations]),
        "bias_file": BIAS_FILE, "weights_file": WEIGHTS_FILE, "stimulus_file": STIMULUS_FILE, "trace_file": TRACE_FILE,
        "bias_image": "\n".join(hex_word(b, ab) for layer in layers for b in layer.bias) + "\n",
        "weights_image": "\n".join(hex_word(w, 16) for w in np.concatenate(weights)) + "\n",
    }


def _manifest(net: QuantisedNetwork, context: dict) -> dict:
    layers = context["layers"]
    cycles = [layer_cycles(layer.size, layer.taps, context["lanes"]) for layer in layers]
    fewest, most = conv_cycle_bounds(net.input_size, cycles)
    pins = 4 + context["dw"] + 3 + context["out_w"] + (net.state_bits if context["out_value"] else 0)
    return {
        "core": CONV_MODULE,
        "lanes": context["lanes"],
        "memory_files": [BIAS_FILE],
        "host_load": {"file": WEIGHTS_FILE, "words": context["w_depth"],
                      "note": "stream these words into in_index after reset, before the first time step"},
        "top_level_io_bits": pins,
        **network_fields(net),
        "acc_bits": context["ab"],
        "populations": [
            {"name": p.name, "kind": p.kind, "size": p.size, "frac_bits": p.frac_bits, "spiking": p.spiking,
             "neuron_base": entry["base"], "sources": [layer.source], "recurrent": [False], "taps": layer.taps,
             "cycles_per_step": cycles_per_layer, "out_shape": list(layer.out_shape)}
            for p, entry, layer, cycles_per_layer in zip(net.populations, context["pops"], layers, cycles)
        ],
        # weight_words counts weights, as for snn_core; with two lanes two share one SPRAM word
        "memories": {"weight_words": sum(layer.weights.size for layer in layers), "spram_weight_words": context["w_depth"],
                     "neurons": context["n_neurons"], "bitmap_bits": context["bm_depth"], "bias_words": context["n_chan"]},
        "cycles_per_step": {"min": fewest, "max": most},
        "compute_cycles_per_step": conv_compute_cycles(net.input_size, cycles),
    }


def default_conv_spikes(net: QuantisedNetwork) -> np.ndarray:
    """The testbench's default stimulus: 4 steps at a 5 % input rate (every window walk is long)."""
    return default_spikes(net, steps=4, rate=0.05)


def emit_conv(net: QuantisedNetwork, stimulus: np.ndarray | None = None) -> BuildPlan:
    """The convolution core's design, bias and weight images, testbench and manifest (deterministic)."""
    context = conv_context(net)
    if stimulus is None:
        stimulus = default_conv_spikes(net)
    words = stimulus_words(stimulus)
    context["n_words"] = len(words)
    manifest = _manifest(net, context)
    files = {
        "sc_top.sv": render_template("conv", "conv_top.sv.j2", context),
        **library_files(CONV_SOURCES[1:]),
        BIAS_FILE: context["bias_image"],
        WEIGHTS_FILE: context["weights_image"],
        TESTBENCH: render_template("conv", "conv_testbench.sv.j2", context),
        STIMULUS_FILE: memory_image(words, STIMULUS_WORD_BITS),
    }
    return assemble_plan(TOP, CONV_SOURCES, files, manifest, (BIAS_FILE,))
