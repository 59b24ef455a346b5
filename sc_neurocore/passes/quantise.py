"""Quantisation: per-population fixed-point formats for the integer model of the hardware.

All quantities that add into one population's membrane (weights, biases, currents, v, thresholds)
share that population's scale 2**-frac_bits, so the datapath only ever adds integers. Decay factors
k = dt/tau become unsigned Q0.16 coefficients applied as `(k_q * x) >> 16` (arithmetic shift: floor).
The scale is the largest power of two at which the largest weight fits `weight_bits` and the
thresholds, resets and leaks fit half of the `state_bits` range (the other half is headroom).
"""

from dataclasses import dataclass

import numpy as np

from sc_neurocore.errors import InputError
from sc_neurocore.network import Network, Population

__all__ = ["QuantisedProjection", "QuantisedPopulation", "QuantisedNetwork", "quantise", "COEF_SHIFT"]

COEF_SHIFT = 16  # coefficients are Q0.16: k_q = round(k * 2**16), 0..65536
_MAX_FRAC_BITS = 24


@dataclass(eq=False)
class QuantisedProjection:
    source: str
    weight: np.ndarray  # int64 (n_dst, n_src), fits weight_bits
    recurrent: bool


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

    @property
    def size(self) -> int:
        return int(self.k_mem.shape[0])

    @property
    def scale(self) -> float:
        return 2.0 ** -self.frac_bits


@dataclass(eq=False)
class QuantisedNetwork:
    input_size: int
    populations: list[QuantisedPopulation]
    output: str
    dt: float
    spike_condition: str
    weight_bits: int
    state_bits: int
    acc_bits: int

    def population(self, name: str) -> QuantisedPopulation:
        for pop in self.populations:
            if pop.name == name:
                return pop
        raise KeyError(name)

    def source_size(self, source: str) -> int:
        return self.input_size if source == "input" else self.population(source).size


def _largest_frac_bits(magnitude: float, limit: int) -> int:
    """The largest f with magnitude * 2**f <= limit (capped for all-zero parameters)."""
    if magnitude <= 0:
        return _MAX_FRAC_BITS
    return min(_MAX_FRAC_BITS, int(np.floor(np.log2(limit / magnitude))))


def _round(values: np.ndarray, frac_bits: int) -> np.ndarray:
    return np.round(np.asarray(values, dtype=np.float64) * 2.0**frac_bits).astype(np.int64)


def _quantise_population(pop: Population, network: Network, weight_bits: int, state_bits: int):
    w_max = (1 << (weight_bits - 1)) - 1
    s_half = (1 << (state_bits - 2)) - 1
    effective = [(p, pop.gain[:, None] * p.weight) for p in pop.projections]
    largest_weight = max((float(np.abs(w).max()) for _, w in effective), default=0.0)
    largest_level = float(np.max(np.abs(np.concatenate([pop.v_threshold, pop.v_reset, pop.v_leak]))))
    frac = min(_largest_frac_bits(largest_weight, w_max), _largest_frac_bits(largest_level, s_half))
    if not pop.spiking:
        frac = min(frac, _largest_frac_bits(largest_weight * network.source_size("input"), s_half))
    projections = [
        QuantisedProjection(p.source, np.clip(_round(w, frac), -w_max, w_max), p.recurrent) for p, w in effective
    ]
    bias = sum((pop.gain * p.bias for p in pop.projections), np.zeros(pop.size))
    return QuantisedPopulation(
        name=pop.name, kind=pop.kind, spiking=pop.spiking, has_syn=pop.has_syn,
        reset_subtract=pop.reset_subtract, frac_bits=frac,
        k_mem=_round(pop.k_mem, 16), k_syn=_round(pop.k_syn, 16),
        v_leak=_round(pop.v_leak, frac), v_threshold=_round(pop.v_threshold, frac),
        v_reset=_round(pop.v_reset, frac), bias=_round(bias, frac), projections=projections,
    )


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
