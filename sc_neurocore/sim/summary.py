"""Simulation as a user runs it: one mode or both, with a summary of activity and quantisation cost.

Graphs that hold block ops run through :mod:`sc_neurocore.sim.blocks` instead.
"""

from dataclasses import asdict, dataclass

import numpy as np

from sc_neurocore.errors import InputError
from sc_neurocore.passes.lower import Network
from sc_neurocore.passes.quantise import QuantisedNetwork
from sc_neurocore.sim.executor import MODES, SimulationResult, run_fixed, run_float

__all__ = ["PopulationActivity", "QuantisationCost", "SimulationSummary", "simulate"]


@dataclass(frozen=True)
class PopulationActivity:
    name: str
    kind: str
    size: int
    spikes: int
    rate: float  # spikes per neuron per step (0 for non-spiking populations)


@dataclass(frozen=True)
class QuantisationCost:
    """How far the fixed-point model departs from float on the same input."""

    spike_agreement: float  # fraction of (step, batch, neuron) spike decisions that agree
    max_membrane_error: float  # in model units, over every population

    def to_dict(self) -> dict:
        return {"spike_agreement": self.spike_agreement, "max_membrane_error": self.max_membrane_error}


@dataclass(frozen=True)
class SimulationSummary:
    mode: str
    steps: int
    batch: int
    activity: tuple[PopulationActivity, ...]
    quantisation: QuantisationCost | None

    def to_dict(self) -> dict:
        return {
            "mode": self.mode, "steps": self.steps, "batch": self.batch,
            "populations": [asdict(a) for a in self.activity],
            "quantisation": self.quantisation.to_dict() if self.quantisation else None,
        }


def _activity(result: SimulationResult, network) -> tuple[PopulationActivity, ...]:
    rows = []
    for pop in network.populations:
        out = result.outputs[pop.name]
        spikes = int(out.sum()) if pop.spiking else 0
        rate = float(out.mean()) if pop.spiking else 0.0
        rows.append(PopulationActivity(pop.name, pop.kind, pop.size, spikes, rate))
    return tuple(rows)


def _cost(float_run: SimulationResult, fixed_run: SimulationResult, qnet: QuantisedNetwork) -> QuantisationCost:
    agree, total, err = 0, 0, 0.0
    for pop in qnet.populations:
        if pop.spiking:
            agree += int((float_run.outputs[pop.name] == fixed_run.outputs[pop.name]).sum())
            total += float_run.outputs[pop.name].size
        fixed_v = fixed_run.voltages[pop.name] * pop.scale
        err = max(err, float(np.abs(fixed_v - float_run.voltages[pop.name]).max()))
    return QuantisationCost(agree / total if total else 1.0, err)


def simulate(
    network: Network, qnet: QuantisedNetwork | None, inputs: np.ndarray, mode: str, precision: str = "float64"
) -> tuple[SimulationResult, SimulationSummary]:
    """Run `mode`; in fixed mode also run float on the same input to report the quantisation cost.
    `precision` is float mode's (see `run_float`); the quantisation cost is always against float64."""
    if mode not in MODES:
        raise InputError(f"--mode must be one of {', '.join(MODES)}, got {mode!r}")
    float_run = run_float(network, inputs, record_voltages=True, precision=precision if mode == "float" else "float64")
    if mode == "float":
        result, cost = float_run, None
    else:
        result = run_fixed(qnet, inputs, record_voltages=True)
        cost = _cost(float_run, result, qnet)
    steps, batch = inputs.shape[0], inputs.shape[1]
    return result, SimulationSummary(mode, steps, batch, _activity(result, network), cost)
