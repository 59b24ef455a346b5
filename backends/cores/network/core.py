"""snn_core as a Core: the event-driven, time-multiplexed network datapath (weights in EBR)."""

from __future__ import annotations

from functools import cached_property

import numpy as np

from sc_neurocore.backends.build.plan import BuildPlan
from sc_neurocore.backends.cores.core import Core
from sc_neurocore.backends.cores.network.design import default_spikes, emit
from sc_neurocore.backends.cores.network.trace import expected_trace
from sc_neurocore.backends.device import EBR_BITS, check_package_pins, device
from sc_neurocore.errors import FitError
from sc_neurocore.passes.quantise import QuantisedNetwork

__all__ = ["NetworkCore"]


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
    def from_network(cls, qnet, sc) -> NetworkCore:
        return cls(qnet)

    def _spikes(self, stimulus) -> np.ndarray:
        return default_spikes(self.net) if stimulus is None else np.asarray(stimulus).astype(np.int64)

    def emit(self, stimulus=None) -> BuildPlan:
        return self._plan if stimulus is None else emit(self.net, self._spikes(stimulus))

    @cached_property
    def _plan(self) -> BuildPlan:
        return emit(self.net)

    def expected_trace(self, stimulus=None) -> list[str]:
        return expected_trace(self.net, self._spikes(stimulus))

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
