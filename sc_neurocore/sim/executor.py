"""The float and fixed executors: one time loop over the populations of a lowered network.

Inputs are shaped [T, B, n_in]; everything is vectorised over batch and neurons, and the only Python
loop is over time steps (the dynamics are sequential) and populations.
"""

from dataclasses import dataclass, field

import numpy as np

from sc_neurocore.errors import InputError
from sc_neurocore.network import Network
from sc_neurocore.passes.quantise import QuantisedNetwork

from .neuron_steps import delay_step, fixed_step, float_step

__all__ = ["SimulationResult", "run_float", "run_fixed", "MODES"]

MODES = ("float", "fixed")


@dataclass
class SimulationResult:
    """Per population, [T, B, n]: outputs (spikes, or v of non-spiking ones), v and synaptic currents."""

    mode: str
    output_name: str
    outputs: dict[str, np.ndarray]
    voltages: dict[str, np.ndarray] = field(default_factory=dict)
    currents: dict[str, np.ndarray] = field(default_factory=dict)
    spiking: dict[str, bool] = field(default_factory=dict)

    @property
    def output(self) -> np.ndarray:
        return self.outputs[self.output_name]


def _project(proj, dtype):
    """The projection's map of a [B, n_src] batch: a transposed dense matrix, or its operator chain."""
    if proj.operator is None:
        weight_t = proj.weight.T.astype(dtype)  # transposed once: the hot loop is [B, n_src] @ [n_src, n_dst]
        return lambda x: x @ weight_t
    return proj.operator.apply if dtype == np.float64 else proj.operator.apply_int


def _run(network, inputs, step, dtype, record_voltages: bool, record_currents: bool, mode: str) -> SimulationResult:
    steps, batch, _ = inputs.shape
    outs = {p.name: np.zeros((steps, batch, p.size), dtype) for p in network.populations}
    volts = {p.name: np.zeros((steps, batch, p.size), dtype) for p in network.populations} if record_voltages else {}
    currents = {p.name: np.zeros((steps, batch, p.size), dtype) for p in network.populations} if record_currents else {}
    state = {p.name: _initial_state(p, batch, dtype) for p in network.populations}
    latest = {p.name: np.zeros((batch, p.size), dtype) for p in network.populations}
    plans = [
        (pop, [(proj.source, _project(proj, dtype), proj.recurrent) for proj in pop.projections],
         _bias(pop).astype(dtype), step if pop.delay_steps is None else delay_step)
        for pop in network.populations
    ]
    for t in range(steps):
        previous = dict(latest)
        latest["input"] = inputs[t]
        for pop, projections, bias, pop_step in plans:
            current = bias
            for source, project, recurrent in projections:
                current = current + project((previous if recurrent else latest)[source])
            out, state[pop.name] = pop_step(current, state[pop.name], pop)
            latest[pop.name] = out
            outs[pop.name][t] = out
            if record_voltages:
                volts[pop.name][t] = state[pop.name][0]
            if record_currents and pop.delay_steps is None:  # a delay line's state is its ring buffer
                currents[pop.name][t] = state[pop.name][1]
    spiking = {p.name: bool(p.spiking) for p in network.populations}
    return SimulationResult(mode, network.output, outs, volts, currents, spiking)


def _initial_state(pop, batch: int, dtype):
    zeros = np.zeros((batch, pop.size), dtype)
    if pop.delay_steps is None:
        return zeros, zeros.copy()
    return zeros, np.zeros((int(pop.delay_steps.max()) + 1, batch, pop.size), dtype)


def _bias(pop) -> np.ndarray:
    if hasattr(pop, "frac_bits"):
        return pop.bias
    return sum((p.bias for p in pop.projections), np.zeros(pop.size))


def _as_time_batch(inputs: np.ndarray, n_in: int) -> np.ndarray:
    inputs = np.asarray(inputs)
    if inputs.ndim == 2:
        inputs = inputs[:, None, :]
    if inputs.ndim != 3 or inputs.shape[-1] != n_in:
        raise InputError(f"input must be shaped [T, {n_in}] or [T, B, {n_in}], got {list(inputs.shape)}")
    if not np.all(np.isfinite(inputs)):
        raise InputError("input contains NaN or inf")
    return inputs


def run_float(
    network: Network, inputs: np.ndarray, record_voltages: bool = False, record_currents: bool = False
) -> SimulationResult:
    """Reference execution in float64."""
    inputs = _as_time_batch(inputs, network.input_size).astype(np.float64)
    ge = network.spike_condition == "ge"
    return _run(network, inputs, lambda c, s, p: float_step(c, s, p, ge), np.float64, record_voltages, record_currents, "float")


def run_fixed(
    network: QuantisedNetwork, inputs: np.ndarray, record_voltages: bool = False, record_currents: bool = False
) -> SimulationResult:
    """The integer model of the hardware; inputs must be spikes (0/1). Voltages are raw integers."""
    inputs = _as_time_batch(inputs, network.input_size)
    if not np.all((inputs == 0) | (inputs == 1)):
        raise InputError("fixed-point mode takes spike input: every input value must be 0 or 1")
    ge = network.spike_condition == "ge"

    def step(current, state, pop):
        return fixed_step(current, state, pop, ge, network.state_bits)

    return _run(network, inputs.astype(np.int64), step, np.int64, record_voltages, record_currents, "fixed")
