"""snn_sc_core as a Core: the network datapath with stochastic-computing synapses (`--arith sc`)."""

from __future__ import annotations

from functools import cached_property

from sc_neurocore.backends.build.plan import BuildPlan
from sc_neurocore.backends.cores.network.core import NetworkCore
from sc_neurocore.backends.cores.sc.design import emit_sc
from sc_neurocore.backends.cores.sc.trace import expected_sc_trace
from sc_neurocore.passes.quantise import QuantisedNetwork
from sc_neurocore.sc_arith import ScConfig

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

    def emit(self, stimulus=None) -> BuildPlan:
        return self._plan if stimulus is None else emit_sc(self.net, self.config, self._spikes(stimulus))

    @cached_property
    def _plan(self) -> BuildPlan:
        return emit_sc(self.net, self.config)

    def expected_trace(self, stimulus=None) -> list[str]:
        return expected_sc_trace(self.net, self._spikes(stimulus), self.config)
