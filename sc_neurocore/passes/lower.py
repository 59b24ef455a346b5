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
from sc_neurocore.ir.shapes import resolve_padding
from sc_neurocore.kernels import Chain, ConvOp, DenseOp, ScaleOp

__all__ = [
    "Population", "Projection", "Network", "PopulationLookup", "lower", "SPIKE_CONDITIONS", "RESET_MODES", "INTEGRATOR_R_UNITS", "DEFAULT_DT",
]

SPIKE_CONDITIONS = ("gt", "ge")
RESET_MODES = ("model", "zero", "subtract")
INTEGRATOR_R_UNITS = ("per_step", "per_second")  # how IF/I nodes' r is meant (see presets)
DEFAULT_DT = 1e-4  # seconds; the NIR paper's reference traces use it


@dataclass(eq=False)
class Projection:
    """I_dst += weight @ out(source) + bias; `source` is a population name or "input"."""

    source: str
    weight: np.ndarray | None  # (n_dst, n_src); None when `operator` holds a convolution chain
    bias: np.ndarray  # (n_dst,)
    recurrent: bool = False
    operator: Chain | None = None

    def apply(self, x: np.ndarray) -> np.ndarray:
        """weight @ x for a batch x [B, n_src] (bias not included)."""
        return x @ self.weight.T if self.operator is None else self.operator.apply(x)


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
    delay_steps: np.ndarray | None = None  # set for a Delay node: steps per element, no neuron update

    @property
    def size(self) -> int:
        return int(self.k_mem.shape[0])


class PopulationLookup:
    """Name lookups shared by the float network and its quantised twin."""

    def population(self, name: str):
        for pop in self.populations:
            if pop.name == name:
                return pop
        raise KeyError(name)

    def source_size(self, source: str) -> int:
        return self.input_size if source == "input" else self.population(source).size


@dataclass(eq=False)
class Network(PopulationLookup):
    input_size: int
    populations: list[Population]  # in execution order
    output: str  # the population whose output is the network's
    dt: float
    spike_condition: str


def _discretise(name: str, node, dt: float, reset_mode: str, integrator_r: str) -> Population:
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
        # dv/dt = R I: snnTorch and Sinabs write R as the gain per step, SpikingJelly per second (x dt).
        r = flat(node.r) * (dt if integrator_r == "per_second" else 1.0)
        k_mem, k_syn, gain, v_leak = zeros, zeros, r, zeros
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


def _structured_op(node, where: str):
    """The linear operator of a convolution or pooling node (bias handled by the caller)."""
    if isinstance(node, ir.SumPool2d):
        channels = node.input_shape[0]
        value = 1.0 / np.prod(node.kernel_size) if isinstance(node, ir.AvgPool2d) else 1.0
        kernel = np.full((channels, 1, *node.kernel_size), value)
        pads = tuple((p, p) for p in node.padding)
        return ConvOp(kernel, tuple(node.input_shape), tuple(node.stride), pads, (1, 1), channels)
    kernel_dims = node.weight.shape[2:]
    pads = resolve_padding(node.padding, kernel_dims, node.dilation, node.stride, where)
    if isinstance(node, ir.Conv2d):
        return ConvOp(node.weight, node.shape_in, tuple(node.stride), pads, tuple(node.dilation), node.groups)
    c_in, length = node.shape_in  # Conv1d runs as a Conv2d over a 1-row image
    return ConvOp(node.weight[:, :, None, :], (c_in, 1, length), (1, node.stride[0]), ((0, 0), pads[0]),
                  (1, node.dilation[0]), node.groups)


@dataclass
class _Path:
    """The map from the current node's output to the target: `head` (dense, source side) then `tail`.

    head is None (identity), a vector (diagonal) or a matrix; composing it exactly as before keeps
    dense networks bit-identical (eye @ W == W).
    """

    head: object
    tail: tuple
    bias: np.ndarray

    def through_head(self, values: np.ndarray) -> np.ndarray:
        if self.head is None:
            return values
        return self.head * values if self.head.ndim == 1 else self.head @ values

    def to_target(self, values: np.ndarray) -> np.ndarray:
        out = self.through_head(values)
        for op in self.tail:
            out = op.apply(out[None, :])[0]
        return out

    def then_dense(self, weight: np.ndarray) -> "_Path":
        if self.head is None:
            head = weight.copy()
        elif self.head.ndim == 1:
            head = self.head[:, None] * weight
        else:
            head = self.head @ weight
        return _Path(head, self.tail, self.bias)

    def then_scale(self, scale: np.ndarray) -> "_Path":
        if self.head is None:
            head = scale.copy()
        elif self.head.ndim == 1:
            head = self.head * scale
        else:
            head = self.head * scale[None, :]
        return _Path(head, self.tail, self.bias)

    def then_op(self, op) -> "_Path":
        return _Path(None, (op, *self._head_ops(), *self.tail), self.bias)

    def _head_ops(self) -> tuple:
        if self.head is None:
            return ()
        return (ScaleOp(self.head),) if self.head.ndim == 1 else (DenseOp(self.head),)

    def projection(self, source: str, n_target: int) -> Projection:
        if not self.tail:
            head = self.head
            weight = np.eye(n_target) if head is None else (np.diag(head) if head.ndim == 1 else head.copy())
            return Projection(source=source, weight=weight, bias=self.bias.copy())
        return Projection(source=source, weight=None, bias=self.bias.copy(), operator=Chain([*self._head_ops(), *self.tail]))


def _delay_line(name: str, node, dt: float) -> Population:
    """A Delay node as a population with no dynamics: y[t] = x[t - round(delay/dt)] (zero before)."""
    n = int(np.prod(node.shape_in))
    steps = np.rint(np.asarray(node.delay, dtype=np.float64).reshape(n) / dt).astype(np.int64)
    if np.any(steps < 0):
        raise ModelError(f"node {name!r}: a delay must not be negative")
    pop = _readout(name, n)
    pop.kind, pop.k_mem, pop.delay_steps = "Delay", np.zeros(n), steps
    return pop


def _mark_spiking_delays(pops: dict) -> None:
    """A delay line carries spikes when it copies spikes unweighted (0/1 weights, no bias).

    Start optimistic and clear the flag until nothing changes, so chains of delays settle in any order.
    """
    delays = [pop for pop in pops.values() if pop.delay_steps is not None]
    for pop in delays:
        pop.spiking = True
    changed = True
    while changed:
        changed = False
        for pop in delays:
            spiking = all(
                (proj.source == "input" or pops[proj.source].spiking)
                and proj.operator is None and np.all(np.isin(proj.weight, (0.0, 1.0))) and not np.any(proj.bias)
                for proj in pop.projections
            )
            changed, pop.spiking = changed or spiking != pop.spiking, spiking


class _Composer:
    """Walks synaptic chains backwards from a neuron node, composing them into projections."""

    def __init__(self, graph: Graph, endpoints: set[str]):
        self.graph = graph
        self.endpoints = endpoints

    def projections(self, target: str, n_target: int) -> list[Projection]:
        found: list[Projection] = []
        self.n_target = n_target
        self._walk(target, _Path(None, (), np.zeros(n_target)), found, path=(target,))
        return found

    def _walk(self, name: str, route: _Path, found: list, path: tuple) -> None:
        preds = self.graph.predecessors(name)
        if not preds:
            raise ModelError(f"node {name!r} has no input edge")
        for index, pred in enumerate(preds):
            node = self.graph.nodes[pred]
            # A node's bias enters once, whichever branch carries it.
            branch = route if index == 0 else _Path(route.head, route.tail, np.zeros_like(route.bias))
            if pred in self.endpoints:
                self._add(found, branch.projection(pred, self.n_target))
                continue
            if pred in path:
                raise ModelError(f"cycle through {pred!r} has no neuron to hold its state")
            self._walk(pred, self._through(pred, node, branch), found, path + (pred,))

    def _through(self, name: str, node, route: _Path) -> _Path:
        if isinstance(node, ir.Affine):
            bias = route.bias + route.to_target(node.bias)
            return _Path(route.head, route.tail, bias).then_dense(node.weight)
        if isinstance(node, ir.Linear):
            return route.then_dense(node.weight)
        if isinstance(node, ir.Scale):
            return route.then_scale(node.scale.reshape(-1))
        if isinstance(node, ir.Flatten):
            return route
        if isinstance(node, (ir.Conv1d, ir.SumPool2d)):
            bias = route.bias
            if isinstance(node, ir.Conv1d):
                per_position = np.repeat(node.bias, int(np.prod(node.shape_out[1:])))
                bias = bias + route.to_target(per_position)
            return _Path(route.head, route.tail, bias).then_op(_structured_op(node, f"node {name!r}"))
        raise UnsupportedError(
            f"node {name!r} ({type(node).__name__}) cannot be executed between neuron nodes"
        )

    @staticmethod
    def _add(found: list, projection: Projection) -> None:
        # Dense paths from one source sum into one matrix; operator chains stay separate projections.
        for other in found:
            if other.source == projection.source and other.operator is None and projection.operator is None:
                other.weight = other.weight + projection.weight
                other.bias = other.bias + projection.bias
                return
        found.append(projection)


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
    graph: Graph, dt: float = DEFAULT_DT, spike_condition: str = "gt", reset_mode: str = "model",
    integrator_r: str = "per_step",
) -> Network:
    """Lower a validated IR graph into an executable Network (see the module docstring)."""
    if not dt > 0 or not np.isfinite(dt):
        raise InputError(f"--dt must be a positive number of seconds, got {dt}")
    if spike_condition not in SPIKE_CONDITIONS:
        raise InputError(f"spike condition must be one of {', '.join(SPIKE_CONDITIONS)}, got {spike_condition!r}")
    if reset_mode not in RESET_MODES:
        raise InputError(f"reset mode must be one of {', '.join(RESET_MODES)}, got {reset_mode!r}")
    if integrator_r not in INTEGRATOR_R_UNITS:
        raise InputError(f"integrator r units must be one of {', '.join(INTEGRATOR_R_UNITS)}, got {integrator_r!r}")
    inputs, outputs = graph.of_type(ir.Input), graph.of_type(ir.Output)
    if len(inputs) != 1 or len(outputs) != 1:
        raise UnsupportedError("the graph must have exactly one Input and one Output node")
    input_name, output_name = inputs[0], outputs[0]
    neurons = [name for name, node in graph.nodes.items() if isinstance(node, (*ir.NEURON_TYPES, ir.Delay))]
    output_preds = graph.predecessors(output_name)
    readout = None
    if len(output_preds) != 1 or output_preds[0] not in neurons:
        readout = output_name  # the Output sums synaptic paths: a linear readout population
    endpoints = set(neurons) | {input_name}
    composer = _Composer(graph, endpoints)

    pops: dict[str, Population] = {}
    for name in neurons:
        node = graph.nodes[name]
        pops[name] = _delay_line(name, node, dt) if isinstance(node, ir.Delay) else _discretise(name, node, dt, reset_mode, integrator_r)
        pops[name].projections = composer.projections(name, pops[name].size)
    if readout is not None:
        n_out = int(np.prod(graph.nodes[output_name].shape_in))
        pops[readout] = _readout(readout, n_out)
        pops[readout].projections = composer.projections(readout, n_out)
    for pop in pops.values():
        for proj in pop.projections:
            if proj.source == input_name:
                proj.source = "input"

    _mark_spiking_delays(pops)
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
