"""Quantisation: per-population fixed-point formats for the integer model of the hardware.

All quantities that add into one population's membrane (weights, biases, currents, v, thresholds)
share that population's scale 2**-frac_bits, so the datapath only ever adds integers. Decay factors
k = dt/tau become unsigned Q0.16 coefficients applied as `(k_q * x) >> 16` (arithmetic shift: floor).
The scale is the largest power of two at which the largest weight fits `weight_bits` and the
thresholds, resets and leaks fit half of the `state_bits` range (the other half is headroom).
"""

from dataclasses import dataclass

import numpy as np

from sc_neurocore.errors import InputError, UnsupportedError
from sc_neurocore.kernels import Chain
from sc_neurocore.passes.lower import Network, Population, PopulationLookup

__all__ = ["QuantisedProjection", "QuantisedPopulation", "QuantisedDelay", "QuantisedNetwork", "quantise", "COEF_SHIFT"]

COEF_SHIFT = 16  # coefficients are Q0.16: k_q = round(k * 2**16), 0..65536
_MAX_FRAC_BITS = 24


@dataclass(eq=False)
class QuantisedProjection:
    """Integer weights: a dense matrix, or an operator chain (convolution, pooling) with integer kernels."""

    source: str
    matrix: np.ndarray | None  # int64 (n_dst, n_src), fits weight_bits; None for an operator chain
    recurrent: bool
    operator: Chain | None = None

    @property
    def weight(self) -> np.ndarray:
        """The dense matrix the hardware maps; a chain is densified only when small (else UnsupportedError)."""
        if self.operator is None:
            return self.matrix
        return self.operator.dense(f"the projection from {self.source!r}")


@dataclass(eq=False)
class QuantisedPopulation:
    name: str
    kind: str
    spiking: bool
    has_syn: bool
    reset_subtract: bool
    frac_bits: int
    k_mem: np.ndarray  # int64, Q0.16
    k_syn: np.ndarray
    v_leak: np.ndarray  # int64 at 2**-frac_bits
    v_threshold: np.ndarray
    v_reset: np.ndarray
    bias: np.ndarray
    projections: list[QuantisedProjection]
    delay_steps: None = None  # see QuantisedDelay

    @property
    def size(self) -> int:
        return int(self.k_mem.shape[0])

    @property
    def scale(self) -> float:
        return 2.0 ** -self.frac_bits


@dataclass(eq=False)
class QuantisedDelay:
    """A delay line in the integer model: integer inputs pass through `delay_steps` ring buffers."""

    name: str
    kind: str
    spiking: bool
    frac_bits: int
    bias: np.ndarray
    projections: list[QuantisedProjection]
    delay_steps: np.ndarray
    has_syn: bool = False
    reset_subtract: bool = False

    @property
    def size(self) -> int:
        return int(self.bias.shape[0])

    @property
    def scale(self) -> float:
        return 2.0 ** -self.frac_bits

    def __getattr__(self, name):
        # Only reached for attributes a delay line lacks: the neuron parameters the RTL core reads.
        if name in ("k_mem", "k_syn", "v_leak", "v_threshold", "v_reset"):
            raise UnsupportedError(f"population {self.name!r} is a Delay: the RTL core has no delay lines yet")
        raise AttributeError(name)


@dataclass(eq=False)
class QuantisedNetwork(PopulationLookup):
    input_size: int
    populations: list[QuantisedPopulation]
    output: str
    dt: float
    spike_condition: str
    weight_bits: int
    state_bits: int
    acc_bits: int


def _largest_frac_bits(magnitude: float, limit: int) -> int:
    """The largest f with magnitude * 2**f <= limit (capped for all-zero parameters)."""
    if magnitude <= 0:
        return _MAX_FRAC_BITS
    return min(_MAX_FRAC_BITS, int(np.floor(np.log2(limit / magnitude))))


def _round(values: np.ndarray, frac_bits: int) -> np.ndarray:
    return np.round(np.asarray(values, dtype=np.float64) * 2.0**frac_bits).astype(np.int64)


def _integer_chain(chain: Chain, gain: np.ndarray, where: str) -> Chain:
    """Fold every real factor of a chain into its last operator, so the earlier ones stay integer.

    Pooling kernels (all entries equal, 1/(k_h k_w) for average pooling) move their constant to the last
    operator; the per-neuron gain scales the last operator's output rows.
    """
    factor, ops = 1.0, []
    for op in chain.ops[:-1]:
        weight = op.weight
        if np.all(weight == weight.flat[0]) and weight.flat[0] != 0:
            factor *= float(weight.flat[0])
            ops.append(op.with_weight(np.ones_like(weight)))
        elif np.all(weight == np.round(weight)):
            ops.append(op)
        else:
            raise UnsupportedError(
                f"{where}: two weighted operators (e.g. convolutions) follow each other with no neuron "
                "between them; the integer model needs integer weights before the last one"
            )
    last = chain.ops[-1]
    ops.append(last.with_weight(last.weight * factor).rows_scaled(gain))
    return Chain(ops)


def _quantise_population(pop: Population, network: Network, weight_bits: int, state_bits: int):
    w_max = (1 << (weight_bits - 1)) - 1
    s_half = (1 << (state_bits - 2)) - 1
    where = f"population {pop.name!r}"
    effective = [
        (p, pop.gain[:, None] * p.weight if p.operator is None else _integer_chain(p.operator, pop.gain, where))
        for p in pop.projections
    ]
    largest_weight = max((float(np.abs(_last_weight(w)).max()) for _, w in effective), default=0.0)
    largest_level = float(np.max(np.abs(np.concatenate([pop.v_threshold, pop.v_reset, pop.v_leak]))))
    frac = min(_largest_frac_bits(largest_weight, w_max), _largest_frac_bits(largest_level, s_half))
    if not pop.spiking:
        frac = min(frac, _largest_frac_bits(largest_weight * network.source_size("input"), s_half))
    if pop.delay_steps is not None and pop.spiking:
        frac = 0  # a spiking delay line copies 0/1 spikes: its consumers take them unscaled
    projections = [_quantise_projection(p, w, frac, w_max) for p, w in effective]
    bias = sum((pop.gain * p.bias for p in pop.projections), np.zeros(pop.size))
    if pop.delay_steps is not None:
        return QuantisedDelay(
            name=pop.name, kind=pop.kind, spiking=pop.spiking, frac_bits=frac, bias=_round(bias, frac),
            projections=projections, delay_steps=pop.delay_steps,
        )
    return QuantisedPopulation(
        name=pop.name, kind=pop.kind, spiking=pop.spiking, has_syn=pop.has_syn,
        reset_subtract=pop.reset_subtract, frac_bits=frac,
        k_mem=_round(pop.k_mem, 16), k_syn=_round(pop.k_syn, 16),
        v_leak=_round(pop.v_leak, frac), v_threshold=_round(pop.v_threshold, frac),
        v_reset=_round(pop.v_reset, frac), bias=_round(bias, frac), projections=projections,
    )


def _last_weight(effective) -> np.ndarray:
    return effective.ops[-1].weight if isinstance(effective, Chain) else effective


def _quantise_projection(proj, effective, frac: int, w_max: int) -> QuantisedProjection:
    if not isinstance(effective, Chain):
        return QuantisedProjection(proj.source, np.clip(_round(effective, frac), -w_max, w_max), proj.recurrent)
    last = effective.ops[-1]
    integer_last = last.with_weight(np.clip(_round(last.weight, frac), -w_max, w_max))
    return QuantisedProjection(proj.source, None, proj.recurrent, Chain([*effective.ops[:-1], integer_last]))


def quantise(network: Network, weight_bits: int = 8, state_bits: int = 16) -> QuantisedNetwork:
    """Choose per-population fixed-point formats and round every parameter to them."""
    if not 2 <= weight_bits <= 16:
        raise InputError(f"--weight-bits must be between 2 and 16, got {weight_bits}")
    if not 8 <= state_bits <= 24:
        raise InputError(f"--state-bits must be between 8 and 24, got {state_bits}")
    for pop in network.populations:
        for proj in pop.projections:
            source_spikes = proj.source == "input" or network.population(proj.source).spiking
            if not source_spikes:
                raise InputError(
                    f"population {pop.name!r} takes the non-spiking output of {proj.source!r}: "
                    "fixed-point and hardware execution need spikes between populations"
                )
    pops = [_quantise_population(pop, network, weight_bits, state_bits) for pop in network.populations]
    fan_in = max(sum(network.source_size(p.source) for p in pop.projections) for pop in network.populations)
    bias_max = max(int(np.abs(p.bias).max()) for p in pops)
    acc_bits = int(np.ceil(np.log2(fan_in * ((1 << (weight_bits - 1)) - 1) + bias_max + 1))) + 1
    return QuantisedNetwork(
        input_size=network.input_size, populations=pops, output=network.output, dt=network.dt,
        spike_condition=network.spike_condition, weight_bits=weight_bits, state_bits=state_bits,
        acc_bits=max(acc_bits, state_bits),
    )
