"""snn_sc_core as a Core: the network datapath with stochastic-computing synapses (`--arith sc`)."""

from __future__ import annotations

from sc_neurocore.backends.build.plan import BuildPlan
from sc_neurocore.backends.cores.network.core import NetworkCore, testbench_cycles, example_network
from sc_neurocore.backends.cores.sc.design import emit_sc
from sc_neurocore.backends.cores.sc.trace import expected_sc_trace
from sc_neurocore.passes.quantise import QuantisedNetwork
from sc_neurocore.report.throughput import CoreTiming
from sc_neurocore.sim.sc import ScConfig, run_sc, sc_config

__all__ = ["ScCore"]


class ScCore(NetworkCore):
    """A quantised network on snn_sc_core with the streams of `config`; fits like snn_core (same memories)."""

    kind = "snn_sc_core"
    title = "SC network core"

    def __init__(self, net: QuantisedNetwork, config: ScConfig):
        super().__init__(net)
        self.config = config

    @classmethod
    def builds_network(cls, qnet, sc) -> bool:
        return sc is not None

    @classmethod
    def from_network(cls, qnet, sc) -> ScCore:
        return cls(qnet, sc)

    def _design(self, spikes) -> BuildPlan:
        return emit_sc(self.net, self.config, spikes)

    @classmethod
    def example(cls) -> ScCore:
        return cls(example_network(), sc_config(64))

    def cosim_cycles(self, stimulus=None) -> int:
        """snn_sc_core's cycle model: snn_core's schedule with CHUNKS + 5 clocks per arrived event."""
        spikes = self._spikes(stimulus)
        run = run_sc(self.net, spikes[:, None, :], self.config)
        return testbench_cycles(self.net, spikes, run.outputs, CoreTiming.sc(self.config.chunks))

    def _twin_run(self, spikes):
        return run_sc(self.net, spikes[:, None, :], self.config, record_voltages=True)

    def expected_trace(self, stimulus=None) -> list[str]:
        return expected_sc_trace(self.net, self._spikes(stimulus), self.config)
