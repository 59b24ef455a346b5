"""How a quantised convolutional network maps onto `hdl/snn/snn_conv_core.sv`: one `ConvLayer` per population.

The core computes every layer as "optional sum pooling, then a convolution": a dense matrix is a 1x1
convolution over n_in channels of a 1x1 map, and a dense layer after pooling (Flatten + Affine) is a
convolution whose kernel covers the whole pooled map; both read their weights in the same (out, in) order
as the matrix. Whatever the core cannot compute exactly raises UnsupportedError naming the population.

Lanes. With 8-bit weights one 16-bit SPRAM word holds the weights of two output channels for the same
tap, so the core walks each window once for two channels (`lanes` = 2) when every group's output
channels pair up; otherwise one.

Cycle model. The core walks every window whole, so a time step's compute phase does not depend on the
activity (counted from the end-of-step word until the host sees out_eos):

    compute   3 + n_in + sum over layers l of layer_l
    layer_l   2 + (size_l / lanes) * (taps_l + 6 + 7 * lanes)
    taps_l    kernel taps (input channels per group x k_h x k_w) x pooling taps (p_h x p_w)

S_LAYER and S_LINIT per layer; per window S_NEURON, one S_TAPS cycle per tap, 5 cycles of S_DRAIN (the
4-stage tap pipeline empties), then per lane S_FETCH, S_WAIT, S_START and the 4-cycle S_UPDATE
(snn_neuron_update); then the closing S_LAYER, S_WIPE clearing the n_in input bits, S_EOS, and the cycle
in which the registered out_eos is seen. The input phase takes one word per clock: the step's input
spikes and the end-of-step word.
"""

from dataclasses import dataclass

import numpy as np

from sc_neurocore.errors import UnsupportedError
from sc_neurocore.kernels import ConvOp, DenseOp
from sc_neurocore.passes.quantise import QuantisedNetwork

__all__ = [
    "ConvLayer", "conv_layers", "uses_conv_core", "choose_lanes", "LAYER_FIELDS", "layer_cycles", "conv_compute_cycles",
    "conv_cycle_bounds",
]

# The 16-bit fields of one layer, in the order of hdl/snn/snn_conv_core.sv's F_* indices.
LAYER_FIELDS = (
    "size", "neuron_base", "out_bitmap", "src_bitmap", "weight_base", "channel_base", "flags",
    "out_h", "out_w", "group_in", "group_out", "k_h", "k_w", "stride_h", "stride_w", "dil_h", "dil_w",
    "pad_top", "pad_left", "pooled_h", "pooled_w",
    "pool_h", "pool_w", "pool_stride_h", "pool_stride_w", "pool_dil_h", "pool_dil_w", "pool_pad_top", "pool_pad_left",
    "src_h", "src_w", "plane", "kernel_size", "group_plane", "out_plane",
)


@dataclass(frozen=True)
class ConvLayer:
    """One population as the core walks it; geometry fields are named as in LAYER_FIELDS."""

    name: str
    source: str
    weights: np.ndarray  # int64 (out_channels, group_in, k_h, k_w): the order the core reads them in
    bias: np.ndarray  # int64, one per output channel
    out_shape: tuple[int, int, int]
    groups: int
    stride: tuple[int, int]
    dilation: tuple[int, int]
    pads: tuple[int, int]  # top, left (bottom and right padding only changes out_shape)
    pooled: tuple[int, int, int]  # the convolution's input map (the pooled source)
    pool: tuple[int, int]
    pool_stride: tuple[int, int]
    pool_dilation: tuple[int, int]
    pool_pads: tuple[int, int]
    src_shape: tuple[int, int, int]  # the source layer's spikes as a map

    @property
    def size(self) -> int:
        return int(np.prod(self.out_shape))

    @property
    def taps(self) -> int:
        """Clock cycles of one neuron's window walk: kernel taps times pooling taps."""
        return int(np.prod(self.weights.shape[1:])) * self.pool[0] * self.pool[1]


def choose_lanes(layers: list[ConvLayer], weight_bits: int) -> int:
    """2 when two weights fit one SPRAM word and every group's output channels pair up, else 1."""
    pairs = all((layer.out_shape[0] // layer.groups) % 2 == 0 for layer in layers)
    return 2 if 2 * weight_bits <= 16 and pairs else 1


def uses_conv_core(net: QuantisedNetwork) -> bool:
    """True when some projection is an operator chain (convolution, pooling): the dense core cannot map it."""
    return any(proj.operator is not None for pop in net.populations for proj in pop.projections)


def _is_sum_pool(op) -> bool:
    return (isinstance(op, ConvOp) and op.groups == op.in_shape[0] == op.out_shape[0]
            and op.weight.shape[1] == 1 and bool(np.all(op.weight == 1)))


def _check_population(pop, order: dict, where: str) -> None:
    if getattr(pop, "delay_steps", None) is not None:
        raise UnsupportedError(f"{where} is a Delay: the convolution core has no delay lines")
    if pop.has_syn:
        raise UnsupportedError(f"{where} has a synaptic current ({pop.kind}): the convolution core keeps one state "
                               "word per neuron; use IF, LIF, LI or I neurons")
    if len(pop.projections) != 1:
        raise UnsupportedError(f"{where} sums {len(pop.projections)} projections: the convolution core takes one per layer")
    proj = pop.projections[0]
    if proj.recurrent or (proj.source != "input" and order[proj.source] >= order[pop.name]):
        raise UnsupportedError(f"{where} reads {proj.source!r} recurrently: the convolution core is feed-forward")
    for values, what in ((pop.k_mem, "k_mem"), (pop.k_syn, "k_syn"), (pop.v_leak, "v_leak"),
                         (pop.v_threshold, "threshold"), (pop.v_reset, "reset")):
        if np.any(values != values.flat[0]):
            raise UnsupportedError(f"{where}: its neurons have different {what} values; the convolution core "
                                   "holds one neuron parameter set per layer")


def _flat(n: int) -> tuple[int, int, int]:
    return (n, 1, 1)


def _layer(pop, net: QuantisedNetwork, where: str) -> ConvLayer:
    proj = pop.projections[0]
    n_src = net.source_size(proj.source)
    ops = [] if proj.operator is None else list(proj.operator.ops)
    pool = ops.pop(0) if len(ops) == 2 and _is_sum_pool(ops[0]) else None
    if len(ops) > 1:
        raise UnsupportedError(f"{where}: its projection chains {len(ops) + (pool is not None)} operators; the "
                               "convolution core maps an optional sum pooling followed by one convolution or dense layer")
    last = ops[0] if ops else DenseOp(proj.matrix)
    src_shape = pool.in_shape if pool is not None else (last.in_shape if isinstance(last, ConvOp) else _flat(n_src))
    pooled = pool.out_shape if pool is not None else src_shape
    if isinstance(last, ConvOp):
        weights, out_shape, groups = last.weight, last.out_shape, last.groups
        stride, dilation, pads = last.stride, last.dilation, (last.pads[0][0], last.pads[1][0])
        if last.in_shape != pooled:
            raise UnsupportedError(f"{where}: its convolution reads a {last.in_shape} map, its source gives {pooled}")
    elif isinstance(last, DenseOp):  # a convolution whose kernel is the whole (pooled) input
        c, h, w = pooled
        weights = last.weight.reshape(last.n_out, c, h, w)
        out_shape, groups, stride, dilation, pads = _flat(last.n_out), 1, (1, 1), (1, 1), (0, 0)
    else:
        raise UnsupportedError(f"{where}: a {type(last).__name__} projection has no mapping on the convolution core")
    if int(np.prod(src_shape)) != n_src:
        raise UnsupportedError(f"{where}: its projection reads {int(np.prod(src_shape))} values, {proj.source!r} has {n_src}")
    bias = np.asarray(pop.bias, dtype=np.int64).reshape(out_shape[0], -1)
    if np.any(bias != bias[:, :1]):
        raise UnsupportedError(f"{where}: its bias differs within an output channel; the convolution core holds "
                               "one bias per channel")
    pool_fields = ((1, 1), (1, 1), (1, 1), (0, 0)) if pool is None else (
        pool.weight.shape[2:], pool.stride, pool.dilation, (pool.pads[0][0], pool.pads[1][0]))
    return ConvLayer(
        name=pop.name, source=proj.source, weights=np.asarray(np.rint(weights), dtype=np.int64), bias=bias[:, 0],
        out_shape=tuple(int(x) for x in out_shape), groups=int(groups), stride=tuple(stride),
        dilation=tuple(dilation), pads=tuple(int(p) for p in pads), pooled=tuple(int(x) for x in pooled),
        pool=tuple(int(x) for x in pool_fields[0]), pool_stride=tuple(pool_fields[1]),
        pool_dilation=tuple(pool_fields[2]), pool_pads=tuple(int(p) for p in pool_fields[3]),
        src_shape=tuple(int(x) for x in src_shape),
    )


def conv_layers(net: QuantisedNetwork) -> list[ConvLayer]:
    """The core's view of every population, in execution order; UnsupportedError for what it cannot map."""
    order = {pop.name: k for k, pop in enumerate(net.populations)}
    layers = []
    for pop in net.populations:
        where = f"population {pop.name!r}"
        _check_population(pop, order, where)
        layers.append(_layer(pop, net, where))
    return layers


_WINDOW_CYCLES = 6  # S_NEURON, 5 of S_DRAIN
_LANE_CYCLES = 7  # S_FETCH, S_WAIT, S_START, 4 of S_UPDATE
_LAYER_CYCLES = 2  # S_LAYER, S_LINIT


def layer_cycles(size: int, taps: int, lanes: int) -> int:
    """Clock cycles of one layer in every step."""
    return _LAYER_CYCLES + size // lanes * (taps + _WINDOW_CYCLES + _LANE_CYCLES * lanes)


def conv_compute_cycles(input_size: int, layers) -> int:
    """Clock cycles of one step's compute phase; `layers` holds each layer's `layer_cycles`."""
    return 3 + int(input_size) + sum(int(cycles) for cycles in layers)


def conv_cycle_bounds(input_size: int, layers) -> tuple[int, int]:
    """(fewest, most) cycles of a whole step (`layer_cycles` per layer): no input spike, every input spiking."""
    compute = conv_compute_cycles(input_size, layers)
    return compute + 1, compute + 1 + int(input_size)
