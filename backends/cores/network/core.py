"""snn_core as a Core: the event-driven, time-multiplexed network datapath (weights in EBR)."""

from __future__ import annotations

from functools import cached_property

import nir
import numpy as np

from sc_neurocore.backends.build.plan import BuildPlan
from sc_neurocore.backends.build.stream import EVENTS, StreamPort, unpack_words
from sc_neurocore.backends.cores.core import Core
from sc_neurocore.backends.cores.network.design import TOP, default_spikes, emit
from sc_neurocore.backends.cores.network.trace import expected_trace
from sc_neurocore.backends.device import EBR_BITS, check_package_pins, device
from sc_neurocore.errors import FitError
from sc_neurocore.frontend import graph_from_nir
from sc_neurocore.passes.lower import lower
from sc_neurocore.passes.quantise import QuantisedNetwork, quantise
from sc_neurocore.report.throughput import FIXED_CORE, CoreShape, compute_cycles
from sc_neurocore.sim import run_fixed

__all__ = ["NetworkCore", "example_network"]


def example_network(seed: int = 0) -> QuantisedNetwork:
    """A seeded 12 -> 9 LIF -> 5 LIF network whose layers both fire: the network cores' example."""
    rng = np.random.default_rng(seed)
    sizes = (12, 9, 5)

    def lif(n: int) -> nir.LIF:
        return nir.LIF(tau=rng.uniform(1e-3, 4e-3, n), r=np.ones(n), v_leak=np.zeros(n),
                       v_threshold=rng.uniform(0.2, 0.6, n), v_reset=np.zeros(n))

    graph = nir.NIRGraph.from_list(
        nir.Input(np.array([sizes[0]])), nir.Affine(rng.normal(0.3, 0.6, sizes[1::-1]), np.zeros(sizes[1])),
        lif(sizes[1]), nir.Affine(rng.normal(0.4, 0.8, sizes[:0:-1]), np.zeros(sizes[2])), lif(sizes[2]),
        nir.Output(np.array([sizes[2]])),
    )
    return quantise(lower(graph_from_nir(graph)))


def testbench_cycles(net: QuantisedNetwork, spikes: np.ndarray, outputs: dict, timing) -> int:
    events = {"input": spikes.sum(axis=1)}
    events.update({p.name: outputs[p.name][:, 0].sum(axis=1) for p in net.populations if p.spiking})
    return int(compute_cycles(CoreShape.from_network(net), events, timing).sum()) + spikes.shape[0]


class NetworkCore(Core):
    """A quantised neuron network on snn_core; its stimulus is input spikes [T, n_in]."""

    kind = "snn_core"
    title = "network core"

    def __init__(self, net: QuantisedNetwork):
        self.net = net

    @classmethod
    def builds_network(cls, qnet, sc) -> bool:
        return sc is None

    @classmethod
    def example(cls) -> NetworkCore:
        return cls(example_network())

    @classmethod
    def from_network(cls, qnet, sc) -> NetworkCore:
        return cls(qnet)

    def _design(self, spikes: np.ndarray | None) -> BuildPlan:
        """The core's plan for input `spikes` (None: its emitter's default); the one thing the network
        cores emit differently."""
        return emit(self.net, spikes)

    def _default_spikes(self) -> np.ndarray:
        return default_spikes(self.net)

    def _spikes(self, stimulus) -> np.ndarray:
        return self._default_spikes() if stimulus is None else np.asarray(stimulus).astype(np.int64)

    def emit(self, stimulus=None) -> BuildPlan:
        return self._plan if stimulus is None else self.with_stream(self._design(self._spikes(stimulus)))

    @cached_property
    def _plan(self) -> BuildPlan:
        return self.with_stream(self._design(None))

    # -- the host stream port: event words; an inference is a run of time steps ------------------------
    def _twin_run(self, spikes: np.ndarray):
        """The integer twin's run of `spikes` [T, n_in], with voltages (the RTL's specification)."""
        return run_fixed(self.net, spikes[:, None, :], record_voltages=True)

    def stream_test_stimulus(self) -> np.ndarray:
        """16 steps at a 90 % input rate: the example's output population fires (at 20 % it stays silent)."""
        return np.random.default_rng(1).random((16, self.net.input_size)) < 0.9

    def _in_index_bits(self) -> int:
        """Bits of the native top's in_index."""
        return max(1, int(np.ceil(np.log2(self.net.input_size))))

    def _load_words(self) -> list[int]:
        """Words the native top takes after reset, before the first time step (none: weights are in ROM)."""
        return []

    @cached_property
    def _output(self):
        return self.net.population(self.net.output)

    def _output_order(self) -> list[int]:
        """The output neurons in the order the core updates them (and emits their events)."""
        return list(range(self._output.size))

    def stream_port(self) -> StreamPort:
        """Events: an input index or bit `in_bits - 1` (end of step) in; an output index (and, for a
        non-spiking output population, its state-bits value above it) or the end-of-step bit out. A step
        emits at most one word per output neuron and its end-of-step word."""
        index_bits = max(1, int(np.ceil(np.log2(self._output.size))))
        value_bits = 0 if self._output.spiking else self.net.state_bits
        return StreamPort(native=TOP, format=EVENTS, in_bits=self._in_index_bits() + 1,
                          out_bits=index_bits + value_bits + 1, burst=self._output.size + 1, unit="time step",
                          load_words=len(self._load_words()), index_bits=index_bits, value_bits=value_bits,
                          out_size=self._output.size)

    def stream_words(self, stimulus=None) -> tuple[list[int], list[list[int]]]:
        """One inference: per time step the indices of the input neurons that spiked, then the end-of-step word."""
        eos = 1 << self._in_index_bits()
        words = []
        for row in self._spikes(stimulus):
            words += [int(i) for i in np.flatnonzero(row)] + [eos]
        return self._load_words(), [words]

    def expected_stream_output(self, stimulus=None) -> list[list[int]]:
        """Per step the output population's events in the order the core updates its neurons (every
        neuron, with its value, when it does not spike), then the end-of-step word."""
        spikes = self._spikes(stimulus)
        run, port = self._twin_run(spikes), self.stream_port()
        fired = run.outputs[self.net.output][:, 0]
        values = run.voltages[self.net.output][:, 0]
        value_mask = (1 << port.value_bits) - 1
        words = []
        order = self._output_order()
        for t in range(spikes.shape[0]):
            for i in order:
                if self._output.spiking and fired[t, i]:
                    words.append(i)
                elif not self._output.spiking:
                    words.append(i | (int(values[t, i]) & value_mask) << port.index_bits)
            words.append(1 << (port.out_bits - 1))
        return [words]

    def stream_outputs(self, words: list[int]) -> np.ndarray:
        """One inference's words as its output [steps, out_size]: 0/1 spikes, or the values of a
        non-spiking output population (two's complement of state_bits)."""
        port = self.stream_port()
        steps = sum(word >> (port.out_bits - 1) & 1 for word in words)
        out = np.zeros((steps, self._output.size), dtype=np.int64)
        step = 0
        for word in words:
            if word >> (port.out_bits - 1) & 1:
                step += 1
                continue
            index = word & ((1 << port.index_bits) - 1)
            if port.value_bits:
                out[step, index] = unpack_words(word >> port.index_bits, 1, port.value_bits, signed=True)[0]
            else:
                out[step, index] = 1
        return out

    def twin_outputs(self, stimulus=None) -> list[np.ndarray]:
        """The one inference's output from the twin: spikes or values [steps, out_size]."""
        run = self._twin_run(self._spikes(stimulus))
        key = run.outputs if self._output.spiking else run.voltages
        return [np.asarray(key[self.net.output][:, 0], dtype=np.int64)]

    def expected_trace(self, stimulus=None) -> list[str]:
        return expected_trace(self.net, self._spikes(stimulus))

    def cosim_cycles(self, stimulus=None) -> int:
        """snn_core's cycle model (sc_neurocore.report.throughput) on the fixed executor's event counts; the
        testbench counts one more cycle per step (it sees the registered out_eos)."""
        spikes = self._spikes(stimulus)
        run = run_fixed(self.net, spikes[:, None, :])
        return testbench_cycles(self.net, spikes, run.outputs, FIXED_CORE)

    def check_fit(self, device_name: str, package: str | None) -> None:
        """The top level's pins, then the weights in block RAM (they cannot spill into logic)."""
        manifest = self._plan.manifest
        check_package_pins(manifest["top_level_io_bits"], device_name, package)
        weight_bits = manifest["memories"]["weight_words"] * manifest["weight_bits"]
        part = device(device_name)
        available = part.ebr * EBR_BITS
        if weight_bits > available:
            raise FitError(
                f"the weights need {weight_bits / 1024:.1f} kbit of block RAM but {device_name} has "
                f"{available / 1024:.0f} kbit ({part.ebr} EBR); use fewer --weight-bits or a smaller network"
            )
