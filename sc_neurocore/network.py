"""Lowering: an IR graph becomes a network of neuron populations joined by weighted projections.

Every chain of synaptic nodes (Affine, Linear, Scale, Flatten) between two neuron nodes (or the Input)
is composed into one projection `W x + b`. Each neuron model is discretised with an explicit `dt`
(forward Euler, as NIR defines the models) into one shared update:

    syn[t] = syn[t-1] - k_syn * syn[t-1] + gain * I[t]        (current-based models)
    syn[t] = gain * I[t]                                      (all others)
    v[t]   = v[t-1] - k_mem * (v[t-1] - v_leak) + syn[t]
    z[t]   = v[t] > v_threshold   (or >=, see `spike_condition`)
    v[t]   = v_reset where z[t]   (or v[t] - v_threshold with reset by subtraction)

with I[t] the summed projections. The `gain` folds R, dt/tau and w_in into the input, so one datapath
(and one RTL module) serves every model. Projections whose source comes later in the execution order
(recurrence) read that source's output of the previous step.
"""

from dataclasses import dataclass, field

import numpy as np

from sc_neurocore.errors import InputError, ModelError, UnsupportedError
from sc_neurocore.ir import Graph
from sc_neurocore.ir import nodes as ir

__all__ = ["Population", "Projection", "Network", "lower", "SPIKE_CONDITIONS", "RESET_MODES", "DEFAULT_DT"]

SPIKE_CONDITIONS = ("gt", "ge")
RESET_MODES = ("model", "zero", "subtract")
DEFAULT_DT = 1e-4  # seconds; the NIR paper's reference traces use it


@dataclass(eq=False)
class Projection:
    """I_dst += weight @ out(source) + bias; `source` is a population name or "input"."""

    source: str
    weight: np.ndarray  # (n_dst, n_src)
    bias: np.ndarray  # (n_dst,)
    recurrent: bool = False


@dataclass(eq=False)
class Population:
    """Neurons sharing one model; every array has one entry per neuron."""

    name: str
    kind: str  # IR node type name, or "Readout" for a linear output with no neuron
    spiking: bool
    has_syn: bool
    k_mem: np.ndarray
    k_syn: np.ndarray
    gain: np.ndarray
    v_leak: np.ndarray
    v_threshold: np.ndarray
    v_reset: np.ndarray
    reset_subtract: bool
    projections: list[Projection] = field(default_factory=list)

    @property
    def size(self) -> int:
        return int(self.k_mem.shape[0])


@dataclass(eq=False)
class Network:
    input_size: int
    populations: list[Population]  # in execution order
    output: str  # the population whose output is the network's
    dt: float
    spike_condition: str

    def population(self, name: str) -> Population:
        for pop in self.populations:
            if pop.name == name:
                return pop
        raise KeyError(name)

    def source_size(self, source: str) -> int:
        return self.input_size if source == "input" else self.population(source).size


def _discretise(name: str, node, dt: float, reset_mode: str) -> Population:
    n = int(np.prod(node.shape_in))
    zeros, ones = np.zeros(n), np.ones(n)

    def flat(a):
        return np.asarray(a, dtype=np.float64).reshape(n)

    def decay(tau):
        k = dt / flat(tau)
        if np.any(k > 1.0):
            raise InputError(
                f"node {name!r}: dt={dt:g} s exceeds a time constant ({flat(tau).min():g} s); "
                "choose a smaller --dt"
            )
        return k

    spiking = isinstance(node, (ir.Threshold, ir.IF, ir.LIF, ir.CubaLIF))
    reset = flat(getattr(node, "v_reset", zeros))
    subtract = reset_mode == "subtract"
    if isinstance(node, ir.Threshold):
        k_mem, k_syn, gain, v_leak, v_th = ones, zeros, ones, zeros, flat(node.threshold)
    elif isinstance(node, (ir.I, ir.IF)):
        k_mem, k_syn, gain, v_leak = zeros, zeros, flat(node.r), zeros
        v_th = flat(node.v_threshold) if spiking else zeros
    elif isinstance(node, (ir.LI, ir.LIF)):
        k_mem, k_syn = decay(node.tau), zeros
        gain, v_leak = k_mem * flat(node.r), flat(node.v_leak)
        v_th = flat(node.v_threshold) if spiking else zeros
    else:  # CubaLI, CubaLIF
        k_mem, k_syn = decay(node.tau_mem), decay(node.tau_syn)
        gain, v_leak = k_mem * flat(node.r) * k_syn * flat(node.w_in), flat(node.v_leak)
        v_th = flat(node.v_threshold) if spiking else zeros
    if reset_mode == "zero":
        reset = zeros
    return Population(
        name=name, kind=type(node).__name__, spiking=spiking,
        has_syn=isinstance(node, (ir.CubaLI, ir.CubaLIF)),
        k_mem=k_mem, k_syn=k_syn, gain=gain, v_leak=v_leak, v_threshold=v_th, v_reset=reset,
        reset_subtract=subtract and spiking,
    )


def _readout(name: str, n: int) -> Population:
    zeros, ones = np.zeros(n), np.ones(n)
    return Population(
        name=name, kind="Readout", spiking=False, has_syn=False, k_mem=ones, k_syn=zeros, gain=ones,
        v_leak=zeros, v_threshold=zeros, v_reset=zeros, reset_subtract=False,
    )


class _Composer:
    """Walks synaptic chains backwards from a neuron node, composing them into projections."""

    def __init__(self, graph: Graph, endpoints: set[str]):
        self.graph = graph
        self.endpoints = endpoints

    def projections(self, target: str, n_target: int) -> list[Projection]:
        found: dict[str, Projection] = {}
        self._walk(target, np.eye(n_target), np.zeros(n_target), found, path=(target,))
        return list(found.values())

    def _walk(self, name: str, matrix: np.ndarray, bias: np.ndarray, found: dict, path: tuple) -> None:
        preds = self.graph.predecessors(name)
        if not preds:
            raise ModelError(f"node {name!r} has no input edge")
        for index, pred in enumerate(preds):
            node = self.graph.nodes[pred]
            # A node's bias enters once, whichever branch carries it.
            branch_bias = bias if index == 0 else np.zeros_like(bias)
            if pred in self.endpoints:
                self._add(found, pred, matrix, branch_bias)
                continue
            if pred in path:
                raise ModelError(f"cycle through {pred!r} has no neuron to hold its state")
            if isinstance(node, ir.Affine):
                self._walk(pred, matrix @ node.weight, branch_bias + matrix @ node.bias, found, path + (pred,))
            elif isinstance(node, ir.Linear):
                self._walk(pred, matrix @ node.weight, branch_bias, found, path + (pred,))
            elif isinstance(node, ir.Scale):
                self._walk(pred, matrix * node.scale.reshape(-1)[None, :], branch_bias, found, path + (pred,))
            elif isinstance(node, ir.Flatten):
                self._walk(pred, matrix, branch_bias, found, path + (pred,))
            else:
                raise UnsupportedError(
                    f"node {pred!r} ({type(node).__name__}) cannot be executed yet; the executors support "
                    "Affine, Linear, Scale and Flatten between Input and neuron nodes"
                )

    @staticmethod
    def _add(found: dict, source: str, matrix: np.ndarray, bias: np.ndarray) -> None:
        if source in found:
            found[source].weight = found[source].weight + matrix
            found[source].bias = found[source].bias + bias
        else:
            found[source] = Projection(source=source, weight=matrix.copy(), bias=bias.copy())


def _execution_order(pops: dict[str, "Population"]) -> list[str]:
    """Reverse post-order of a depth-first walk from the input along the projections.

    Sources run before their targets; an edge that closes a cycle becomes a recurrent projection.
    """
    targets = {name: [] for name in ["input", *sorted(pops)]}
    for name in sorted(pops):
        for proj in pops[name].projections:
            targets[proj.source].append(name)
    post, seen = [], set()

    def visit(name):
        seen.add(name)
        for nxt in targets[name]:
            if nxt not in seen:
                visit(nxt)
        post.append(name)

    for name in ["input", *sorted(pops)]:
        if name not in seen:
            visit(name)
    return [name for name in reversed(post) if name != "input"]


def lower(
    graph: Graph, dt: float = DEFAULT_DT, spike_condition: str = "gt", reset_mode: str = "model"
) -> Network:
    """Lower a validated IR graph into an executable Network (see the module docstring)."""
    if not dt > 0 or not np.isfinite(dt):
        raise InputError(f"--dt must be a positive number of seconds, got {dt}")
    if spike_condition not in SPIKE_CONDITIONS:
        raise InputError(f"spike condition must be one of {', '.join(SPIKE_CONDITIONS)}, got {spike_condition!r}")
    if reset_mode not in RESET_MODES:
        raise InputError(f"reset mode must be one of {', '.join(RESET_MODES)}, got {reset_mode!r}")
    inputs, outputs = graph.of_type(ir.Input), graph.of_type(ir.Output)
    if len(inputs) != 1 or len(outputs) != 1:
        raise UnsupportedError("the graph must have exactly one Input and one Output node")
    input_name, output_name = inputs[0], outputs[0]
    for name, node in graph.nodes.items():
        if isinstance(node, ir.Delay):
            raise UnsupportedError(f"node {name!r}: Delay nodes are read but not executed yet")
    neurons = [name for name, node in graph.nodes.items() if isinstance(node, ir.NEURON_TYPES)]
    output_preds = graph.predecessors(output_name)
    readout = None
    if len(output_preds) != 1 or output_preds[0] not in neurons:
        readout = output_name  # the Output sums synaptic paths: a linear readout population
    endpoints = set(neurons) | {input_name}
    composer = _Composer(graph, endpoints)

    pops: dict[str, Population] = {}
    for name in neurons:
        pops[name] = _discretise(name, graph.nodes[name], dt, reset_mode)
        pops[name].projections = composer.projections(name, pops[name].size)
    if readout is not None:
        n_out = int(np.prod(graph.nodes[output_name].shape_in))
        pops[readout] = _readout(readout, n_out)
        pops[readout].projections = composer.projections(readout, n_out)
    for pop in pops.values():
        for proj in pop.projections:
            if proj.source == input_name:
                proj.source = "input"

    order = _execution_order(pops)
    position = {name: i for i, name in enumerate(order)}
    for name in order:
        for proj in pops[name].projections:
            proj.recurrent = proj.source != "input" and position[proj.source] >= position[name]
    output = readout if readout is not None else output_preds[0]
    input_size = int(np.prod(graph.nodes[input_name].shape_in))
    return Network(
        input_size=input_size, populations=[pops[n] for n in order], output=output,
        dt=float(dt), spike_condition=spike_condition,
    )
