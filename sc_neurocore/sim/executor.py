"""The float and fixed executors: one time loop over the populations of a lowered network.

Inputs are shaped [T, B, n_in]; everything is vectorised over batch and neurons, and the only Python
loop is over time steps (the dynamics are sequential) and populations. A projection from the network
input depends on nothing else, so it is applied to all time steps at once (one [T*B, n_in] batch) before
the loop; the neuron steps are specialised to each population's constants once (`make_*_step`).
"""

from dataclasses import dataclass, field, replace

import numpy as np

from sc_neurocore.errors import InputError
from sc_neurocore.kernels import SPIKES, Grid
from sc_neurocore.passes.lower import Network
from sc_neurocore.passes.quantise import QuantisedNetwork

from .neuron_steps import delay_step, fixed_step, float_step, make_fixed_step, make_float_step

__all__ = ["SimulationResult", "run_float", "run_fixed", "MODES", "PRECISIONS"]

MODES = ("float", "fixed")
PRECISIONS = {"float64": np.float64, "float32": np.float32}  # of run_float; float64 is the reference


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


def _project(proj, dtype, grid: Grid | None):
    """The projection's map of a [B, n_src] batch: a transposed dense matrix, or its operator chain.

    `grid` is what is known of the source's values (see `sc_neurocore.kernels.Grid`): spikes, or
    None; operator chains choose their exact fast paths from it. (A dense integer matrix stays an int64
    matmul: for the Braille nets' 12-38-7 matrices a float64 BLAS detour measured slower.)
    """
    if proj.operator is None:
        weight_t = proj.weight.T.astype(dtype)  # transposed once: the hot loop is [B, n_src] @ [n_src, n_dst]
        return lambda x: x @ weight_t
    if dtype == np.float64:
        return lambda x: proj.operator.apply(x, grid)
    if dtype == np.float32:
        return proj.operator.apply_float32
    return lambda x: proj.operator.apply_int(x, grid)


def _source_grid(network, source: str, input_grid: Grid | None, dtype) -> Grid | None:
    """What the executor knows of a source's values: a spiking population emits 0/1; in the fixed model a
    non-spiking one emits v, saturated to the state width. Delay lines copy their (summed) input: unknown."""
    if source == "input":
        return input_grid
    pop = network.population(source)
    if pop.delay_steps is not None:
        return None
    if pop.spiking:
        return SPIKES
    return Grid(0, float(2 ** (network.state_bits - 1))) if dtype == np.int64 else None


PRECOMPUTE_LIMIT = 1 << 26  # bytes: an input projection over all time steps larger than this runs per step


def _run(network, inputs, step, dtype, record_voltages: bool, record_currents: bool, mode: str,
         make_step=None, input_grid: Grid | None = None) -> SimulationResult:
    steps, batch, _ = inputs.shape
    outs = {p.name: np.zeros((steps, batch, p.size), dtype) for p in network.populations}
    volts = {p.name: np.zeros((steps, batch, p.size), dtype) for p in network.populations} if record_voltages else {}
    currents = {p.name: np.zeros((steps, batch, p.size), dtype) for p in network.populations} if record_currents else {}
    state = {p.name: _initial_state(p, batch, dtype) for p in network.populations}
    latest = {p.name: np.zeros((batch, p.size), dtype) for p in network.populations}
    flat_inputs = inputs.reshape(steps * batch, inputs.shape[2])
    plans = []
    for pop in network.populations:
        projections = []
        for proj in pop.projections:
            project = _project(proj, dtype, _source_grid(network, proj.source, input_grid, dtype))
            if proj.source == "input" and steps * batch * pop.size * np.dtype(dtype).itemsize <= PRECOMPUTE_LIMIT:
                projections.append((None, project(flat_inputs).reshape(steps, batch, pop.size), proj.recurrent))
            else:
                projections.append((proj.source, project, proj.recurrent))
        if pop.delay_steps is not None:
            pop_step = lambda c, s, o, p=pop: delay_step(c, s, p)
        elif make_step is not None:
            pop_step = make_step(pop)
        else:
            pop_step = lambda c, s, o, p=pop: step(c, s, p)
        bias = _bias(pop).astype(dtype)
        if projections and projections[0][0] is None:  # bias + input projection, once for all steps: same sums
            if dtype != np.int64 or np.any(bias):  # (an integer zero bias adds nothing; a float one may flip -0.0)
                np.add(bias, projections[0][1], out=projections[0][1])
            bias = None
        plans.append((pop.name, projections, bias, pop_step, outs[pop.name],
                      volts.get(pop.name), currents.get(pop.name) if pop.delay_steps is None else None))
    has_recurrent = any(recurrent for _, projections, *_ in plans for *_, recurrent in projections)
    for t in range(steps):
        previous = dict(latest) if has_recurrent else latest
        latest["input"] = inputs[t]
        for name, projections, bias, pop_step, out_record, volt_record, current_record in plans:
            current, owned = bias, False  # owned: a fresh array of this step's, safe to add into
            for source, project, recurrent in projections:
                if source is None:  # precomputed for all time steps (a view: the steps never write to it)
                    term, fresh = project[t], False
                else:  # every projection returns a new array
                    term, fresh = project((previous if recurrent else latest)[source]), True
                if current is None:
                    current, owned = term, fresh
                elif owned or fresh:  # current + term, computed into a buffer of ours: the same sums
                    current = np.add(current, term, out=current if owned else term)
                    owned = True
                else:
                    current, owned = current + term, True
            row = out_record[t]  # a spiking step writes its spikes straight into the record
            out, state[name] = pop_step(current, state[name], row)
            if out is not row:
                row[...] = out
            latest[name] = row  # never written again: safe as the previous step's value too
            if volt_record is not None:
                volt_record[t] = state[name][0]
            if current_record is not None:  # a delay line's state is its ring buffer
                current_record[t] = state[name][1]
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


def _as_time_batch(inputs: np.ndarray, n_in: int) -> tuple[np.ndarray, bool]:
    """The input as [T, B, n_in] and whether every value is a spike (0 or 1: then finite too)."""
    inputs = np.asarray(inputs)
    if inputs.ndim == 2:
        inputs = inputs[:, None, :]
    if inputs.ndim != 3 or inputs.shape[-1] != n_in:
        raise InputError(f"input must be shaped [T, {n_in}] or [T, B, {n_in}], got {list(inputs.shape)}")
    spikes = bool(((inputs == 0) | (inputs == 1)).all())
    if not spikes and not np.all(np.isfinite(inputs)):
        raise InputError("input contains NaN or inf")
    return inputs, spikes


def _float32_network(network: Network) -> Network:
    """A copy of `network` whose weights, biases and neuron constants are float32 (rounded to nearest), so
    every array the float executor derives from them stays float32 (NumPy promotes float32 op float64)."""
    def cast(a):
        return None if a is None else np.asarray(a).astype(np.float32)

    constants = ("k_mem", "k_syn", "gain", "v_leak", "v_threshold", "v_reset")
    populations = [
        replace(pop, **{name: cast(getattr(pop, name)) for name in constants},
                projections=[replace(proj, weight=cast(proj.weight), bias=cast(proj.bias)) for proj in pop.projections])
        for pop in network.populations
    ]
    return replace(network, populations=populations)


def run_float(
    network: Network, inputs: np.ndarray, record_voltages: bool = False, record_currents: bool = False,
    precision: str = "float64",
) -> SimulationResult:
    """Reference execution in float64 (the default).

    precision="float32" is an opt-in, faster approximation: weights, states, decay factors, currents and
    every recorded array are float32 end to end (convolutions included), as snnTorch computes. It is not
    the reference: spikes near a threshold may differ from float64's (see tests/unit/sim/test_float32_precision.py).
    """
    if precision not in PRECISIONS:
        raise InputError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
    dtype = PRECISIONS[precision]
    inputs, spikes = _as_time_batch(inputs, network.input_size)
    if dtype == np.float32:
        if not spikes and np.abs(inputs).max(initial=0) > np.finfo(np.float32).max:
            raise InputError("input exceeds float32's range: use precision='float64'")
        network = _float32_network(network)
    inputs = inputs.astype(dtype, copy=False)  # only read: an input of the right dtype is used in place
    ge = network.spike_condition == "ge"
    return _run(network, inputs, lambda c, s, p: float_step(c, s, p, ge), dtype, record_voltages, record_currents, "float",
                make_step=lambda pop: make_float_step(pop, ge, owns_state=True), input_grid=SPIKES if spikes else None)


def run_fixed(
    network: QuantisedNetwork, inputs: np.ndarray, record_voltages: bool = False, record_currents: bool = False
) -> SimulationResult:
    """The integer model of the hardware; inputs must be spikes (0/1). Voltages are raw integers."""
    inputs, spikes = _as_time_batch(inputs, network.input_size)
    if not spikes:
        raise InputError("fixed-point mode takes spike input: every input value must be 0 or 1")
    ge = network.spike_condition == "ge"

    def step(current, state, pop):
        return fixed_step(current, state, pop, ge, network.state_bits)

    # int8 spikes: every projection of them (int64 matmul, integer chains) computes in int64 or exactly in float
    return _run(network, inputs.astype(np.int8), step, np.int64, record_voltages, record_currents, "fixed",
                make_step=lambda pop: make_fixed_step(pop, ge, network.state_bits, owns_state=True), input_grid=SPIKES)
