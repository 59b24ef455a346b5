"""Spiking activity of a network on some input, as the hardware computes it (the fixed executor)."""

from dataclasses import dataclass

import numpy as np

from sc_neurocore.passes.quantise import QuantisedNetwork
from sc_neurocore.sim import SimulationResult

__all__ = ["LayerActivity", "RasterRow", "Activity", "measure_activity", "event_counts"]


@dataclass(frozen=True)
class LayerActivity:
    name: str
    kind: str  # "Input" for the input, else the population's model
    size: int
    spiking: bool
    spikes: int  # over all steps and samples
    rate: float  # spikes per neuron per step
    rate_hz: float  # the same per second of model time (rate / dt)


@dataclass(frozen=True)
class RasterRow:
    """The spikes of one layer in sample 0: step and neuron index of each."""

    name: str
    size: int
    steps: tuple[int, ...]
    neurons: tuple[int, ...]


@dataclass(frozen=True)
class Activity:
    steps: int
    batch: int
    dt: float
    layers: tuple[LayerActivity, ...]  # the input first, then populations in execution order
    raster: tuple[RasterRow, ...]  # spiking layers only

    def to_dict(self) -> dict:
        return {
            "steps": self.steps, "batch": self.batch, "dt": self.dt,
            "layers": [vars(layer) for layer in self.layers],
            "raster": [{"name": r.name, "size": r.size, "steps": list(r.steps), "neurons": list(r.neurons)}
                       for r in self.raster],
        }


def event_counts(qnet: QuantisedNetwork, inputs: np.ndarray, fixed: SimulationResult) -> dict[str, np.ndarray]:
    """Events per step and sample, [T, B], of the input and of every spiking population."""
    counts = {"input": (np.asarray(inputs) != 0).sum(axis=-1)}
    counts.update({p.name: fixed.outputs[p.name].sum(axis=-1) for p in qnet.populations if p.spiking})
    return counts


def _layer(name, kind, spikes: np.ndarray | None, size: int, dt: float) -> LayerActivity:
    if spikes is None:
        return LayerActivity(name, kind, size, False, 0, 0.0, 0.0)
    rate = float(spikes.mean()) if spikes.size else 0.0
    return LayerActivity(name, kind, size, True, int(spikes.sum()), rate, rate / dt)


def _raster(name: str, spikes: np.ndarray) -> RasterRow:
    steps, neurons = np.nonzero(spikes[:, 0, :])
    return RasterRow(name, spikes.shape[-1], tuple(int(s) for s in steps), tuple(int(n) for n in neurons))


def measure_activity(qnet: QuantisedNetwork, inputs: np.ndarray, fixed: SimulationResult) -> Activity:
    """Spike counts and rates per layer, and the raster of the first sample."""
    inputs = (np.asarray(inputs) != 0).astype(np.int64)
    layers = [_layer("input", "Input", inputs, qnet.input_size, qnet.dt)]
    raster = [_raster("input", inputs)]
    for pop in qnet.populations:
        spikes = fixed.outputs[pop.name] if pop.spiking else None
        layers.append(_layer(pop.name, pop.kind, spikes, pop.size, qnet.dt))
        if spikes is not None:
            raster.append(_raster(pop.name, spikes))
    steps, batch = inputs.shape[:2]
    return Activity(int(steps), int(batch), qnet.dt, tuple(layers), tuple(raster))
