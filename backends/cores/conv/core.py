"""snn_conv_core as a Core: folded convolution and pooling windows over spike bitmaps (weights and
membranes in SPRAM). Its schedule does not depend on activity, so its throughput is exact."""

from __future__ import annotations

from functools import cached_property

import nir
import numpy as np

from sc_neurocore.backends.build.plan import BuildPlan
from sc_neurocore.backends.cores.conv.design import (
    CONV_MODULE, CONV_SOURCES, SPRAM_BLOCKS, conv_context, default_conv_spikes, emit_conv,
)
from sc_neurocore.backends.cores.conv.layers import conv_compute_cycles, conv_cycle_bounds, uses_conv_core
from sc_neurocore.backends.cores.conv.trace import neuron_order
from sc_neurocore.backends.cores.network.core import NetworkCore
from sc_neurocore.backends.device import check_package_pins, device
from sc_neurocore.errors import FitError, UnsupportedError
from sc_neurocore.frontend import graph_from_nir
from sc_neurocore.passes.lower import lower
from sc_neurocore.passes.quantise import QuantisedNetwork, quantise

__all__ = ["ConvCore", "conv_throughput", "example_cnn"]


def example_cnn(seed: int = 0) -> QuantisedNetwork:
    """A seeded 2x6x6 -> conv 3x3 p1 -> 4x6x6 IF -> flatten -> 4 IF network: the conv core's example."""
    rng = np.random.default_rng(seed)

    def if_neurons(shape, threshold: float) -> nir.IF:
        return nir.IF(r=np.ones(shape), v_threshold=np.full(shape, threshold), v_reset=np.zeros(shape))

    nodes = {
        "input": nir.Input(np.array([2, 6, 6])),
        "conv": nir.Conv2d(input_shape=(6, 6), weight=rng.normal(0.3, 0.5, (4, 2, 3, 3)), stride=1, padding=1,
                           dilation=1, groups=1, bias=rng.normal(0, 0.1, 4)),
        "hidden": if_neurons((4, 6, 6), 0.8),
        "flat": nir.Flatten(input_type={"input": np.array([4, 6, 6])}, start_dim=0, end_dim=-1),
        "fc": nir.Affine(rng.normal(0.1, 0.3, (4, 144)), np.zeros(4)),
        "out": if_neurons((4,), 0.7),
        "output": nir.Output(np.array([4])),
    }
    names = list(nodes)
    return quantise(lower(graph_from_nir(nir.NIRGraph(nodes=nodes, edges=list(zip(names, names[1:]))))))


def conv_throughput(manifest: dict, fmax_mhz: float | None) -> dict:
    """The convolution core's cycles per time step (activity-independent compute) and time steps per second."""
    layers = [p["cycles_per_step"] for p in manifest["populations"]]
    compute = conv_compute_cycles(manifest["input_size"], layers)
    fewest, most = conv_cycle_bounds(manifest["input_size"], layers)
    return {
        "core": CONV_MODULE, "fmax_mhz": fmax_mhz, "compute_cycles_per_step": compute,
        "cycles_per_step": {"min": fewest, "max": most},
        "steps_per_second": {"max": fmax_mhz * 1e6 / fewest, "min": fmax_mhz * 1e6 / most} if fmax_mhz else None,
    }


class ConvCore(NetworkCore):
    """A quantised convolutional network on snn_conv_core; its stimulus is input spikes [T, n_in]. It emits,
    replays and predicts like snn_core; its fit, cycle model and trace order are its own."""

    kind = CONV_MODULE
    title = "convolution core"
    uses_cell_models = True

    @classmethod
    def builds_network(cls, qnet, sc) -> bool:
        if uses_conv_core(qnet) and sc is not None:
            raise UnsupportedError("--arith sc has no convolution core: build convolutional networks with --arith fixed")
        return uses_conv_core(qnet)

    @classmethod
    def example(cls) -> ConvCore:
        return cls(example_cnn())

    def cosim_cycles(self, stimulus=None) -> int:
        """Activity-independent: every step takes the compute cycles the manifest records."""
        return len(self._spikes(stimulus)) * self._plan.manifest["compute_cycles_per_step"]

    def _design(self, spikes) -> BuildPlan:
        return emit_conv(self.net, spikes)

    def _default_spikes(self) -> np.ndarray:
        return default_conv_spikes(self.net)

    @cached_property
    def _context(self) -> dict:
        return conv_context(self.net)

    def _in_index_bits(self) -> int:
        """in_index also carries the weight words (dw bits) after reset."""
        return self._context["dw"]

    def _load_words(self) -> list[int]:
        """The SPRAM weight words, as the testbench streams them into in_index after reset."""
        mask = (1 << self._in_index_bits()) - 1
        return [int(line, 16) & mask for line in self._context["weights_image"].split()]

    def _output_order(self) -> list[int]:
        """With two lanes the core updates channels o and o + 1 of a position one after the other: per
        channel group, per position, per lane (neuron = channel * H * W + position)."""
        lanes = self._context["lanes"]
        (layer,) = [layer for layer in self._context["layers"] if layer.name == self.net.output]
        channels, height, width = layer.out_shape
        plane = height * width
        return [(group + lane) * plane + position for group in range(0, channels, lanes)
                for position in range(plane) for lane in range(lanes)]

    def cosim_sources(self, plan: BuildPlan) -> tuple[str, ...]:
        return CONV_SOURCES[1:]  # the testbench instantiates the core itself: the generated top is left out

    def rtl_trace(self, lines: list[str]) -> list[str]:
        return neuron_order(lines)

    def check_fit(self, device_name: str, package: str | None) -> None:
        """Pins, then SPRAM: the weights and membranes cannot live anywhere else."""
        check_package_pins(self._plan.manifest["top_level_io_bits"], device_name, package)
        if device(device_name).spram < SPRAM_BLOCKS:
            raise FitError(f"the convolution core keeps weights and membranes in SPRAM, which {device_name} lacks "
                           f"({device(device_name).spram} blocks); use --device up5k")

    def throughput(self, fmax_mhz: float | None) -> dict:
        return conv_throughput(self._plan.manifest, fmax_mhz)
