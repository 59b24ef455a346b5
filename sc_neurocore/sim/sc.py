"""Stochastic-computing synapses: the `sc` executor, bit-true with `hdl/snn/snn_sc_core.sv`.

The neurons are those of the fixed path (`fixed_step`, the same integer update); only the synaptic sum
changes. With integer weights w (|w| <= 2^(B-1) - 1, B = weight bits), stream length N (a power of two),
P = min(16, N) lanes and N/P chunks:

* Streams. Lane l (0..P-1) is comparator SNG l of `allocate_streams(P, width=16, stride=4, seed)`: one
  16-bit Galois LFSR per lane, distinct polynomials and seeds (`docs/stochastic.md`), shared by every
  synapse of the network in time. The generators advance together, one enabled clock per chunk, from
  reset to the end of the run (never per step). Why not four views per register: a comparator against
  T below resolves only the word's top B-1 bits, and the views' top bits overlap or are linearly related,
  so the lanes' bits correlate and the count's variance grows 1.3-2.5x (measured); one register per
  lane keeps it at the binomial value.
* Synapse. The weight magnitude is a unipolar stream with p = |w| / 2^(B-1): bit = word <= T with
  T = (|w| << (16 - (B-1))) - 1 for w != 0 and T = 0 for w = 0 (words are never 0, so p = 0 exactly);
  that is, the word's top B-1 bits are below |w|. The sign is kept aside (sign-magnitude).
* Evaluation. An arrived spike j at neuron i is streamed for N bits: chunk c (0..N/P-1) of evaluation e
  reads generator state e * N/P + c (mod the period 2^16 - 1) on all P lanes. The count
  C = ones over P lanes x N/P chunks estimates N |w| / 2^(B-1) with std (N p (1 - p))^0.5.
  Evaluations are numbered from reset in the core's order: time step, population, neuron, projection,
  arrived spike in ascending index (the host must send input indices in ascending order).
* Dot product. S_i = sum over arrived j of sign(w_ij) C_ij: the AND of a constant-1 spike stream with the
  weight stream is the weight stream, and streaming only arrived spikes skips the zero products; the
  popcount over lanes and chunks is the accumulating parallel counter.
* Scale. acc_i = round(S_i 2^(B-1) / N) + bias_i: with q = log2 N - (B-1), (S + 2^(q-1)) >> q (arithmetic
  shift) for q > 0, S << -q otherwise. Then `fixed_step(acc, ...)`, exactly as the fixed path.

Sign-magnitude unipolar instead of bipolar (XNOR): an estimate of x = w / 2^(B-1) has variance
|x|(1 - |x|)/N instead of (1 - x^2)/N, and zero weights are exact.
"""

from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from sc_neurocore.bitstream import StreamAllocation, allocate_streams
from sc_neurocore.errors import InputError, UnsupportedError
from sc_neurocore.passes.lower import Network
from sc_neurocore.passes.quantise import QuantisedNetwork
from sc_neurocore.sim.executor import SimulationResult, run_float
from sc_neurocore.sim.neuron_steps import fixed_step
from sc_neurocore.sim.summary import PopulationActivity, QuantisationCost, SimulationSummary

__all__ = ["ScConfig", "sc_config", "sc_network", "ScEvents", "run_sc", "simulate_sc", "generator_state", "thresholds", "scale_counts",
           "MAX_LANES", "WIDTH", "PERIOD", "MAX_STREAM_LENGTH"]

MAX_LANES = 16
WIDTH = 16
PERIOD = (1 << WIDTH) - 1
MAX_STREAM_LENGTH = 1 << 16
_BLOCK_BITS = 1 << 22  # comparisons per vectorised block: bounds the executor's memory


@dataclass(frozen=True)
class ScConfig:
    """Stream length N, lanes P and the allocation seed of an SC build."""

    stream_length: int
    seed: int = 1

    @property
    def lanes(self) -> int:
        return min(MAX_LANES, self.stream_length)

    @property
    def chunks(self) -> int:
        return self.stream_length // self.lanes

    @cached_property
    def allocation(self) -> StreamAllocation:
        return allocate_streams(self.lanes, width=WIDTH, seed=self.seed, stride=4)

    @cached_property
    def period_words(self) -> np.ndarray:
        """Comparator words (P, 2^16 - 1) of every lane over one full generator period."""
        return self.allocation.words(PERIOD).astype(np.int64)

    def shift(self, weight_bits: int) -> int:
        """q = log2 N - (B-1): counts are scaled by 2^-q into the weights' integer units."""
        return self.stream_length.bit_length() - 1 - (weight_bits - 1)


def sc_config(stream_length, seed: int = 1) -> ScConfig:
    """Check `--stream-length` (a power of two, 1..65536) and return the configuration."""
    if isinstance(stream_length, bool) or not isinstance(stream_length, (int, np.integer)) or stream_length <= 0:
        raise InputError(f"--stream-length must be a positive integer, got {stream_length!r}")
    if stream_length & (stream_length - 1) or stream_length > MAX_STREAM_LENGTH:
        raise InputError(
            f"--stream-length must be a power of two up to {MAX_STREAM_LENGTH} (the count is rescaled by a "
            f"shift), got {stream_length}"
        )
    return ScConfig(int(stream_length), seed)


def sc_network(net: QuantisedNetwork) -> QuantisedNetwork:
    """Check that `net` has only dense synapses into neurons, and widen the accumulator for SC counts.

    An SC estimate reaches 2^(B-1) (one more than the largest weight), so the fan-in bound needs one bit
    more than the fixed path's.
    """
    for pop in net.populations:
        if pop.delay_steps is not None:
            raise UnsupportedError(f"population {pop.name!r} is a delay line: --arith sc supports neuron populations")
        for proj in pop.projections:
            if proj.operator is not None:
                raise UnsupportedError(
                    f"population {pop.name!r}: the projection from {proj.source!r} is a convolution or pooling; "
                    "--arith sc supports dense synapses only"
                )
    fan_in = max(sum(net.source_size(p.source) for p in pop.projections) for pop in net.populations)
    bias_max = max(int(np.abs(p.bias).max()) for p in net.populations)
    needed = int(np.ceil(np.log2(fan_in * (1 << (net.weight_bits - 1)) + bias_max + 2))) + 1
    return replace(net, acc_bits=max(net.acc_bits, needed))


def thresholds(weights: np.ndarray, weight_bits: int) -> np.ndarray:
    """Comparator thresholds T (int64) of integer weights: (|w| << (16 - (B-1))) - 1, and 0 for w = 0."""
    magnitude = np.abs(np.asarray(weights, dtype=np.int64))
    return np.where(magnitude > 0, (magnitude << (WIDTH - (weight_bits - 1))) - 1, 0)


def scale_counts(signed_counts: np.ndarray, config: ScConfig, weight_bits: int) -> np.ndarray:
    """round(S 2^(B-1) / N) with ties up: the shift the RTL applies before adding the bias."""
    q = config.shift(weight_bits)
    if q > 0:
        return (signed_counts + (1 << (q - 1))) >> q
    return signed_counts << -q


def generator_state(config: ScConfig, evaluation: int, generator: int = 0) -> int:
    """The generator's register when evaluation `evaluation` starts (RTL trace and tests)."""
    return int(config.allocation.states(PERIOD)[generator, (evaluation * config.chunks) % PERIOD])


def _counts(config: ScConfig, evaluation: np.ndarray, threshold: np.ndarray) -> np.ndarray:
    """Ones of each evaluation's N-bit stream: lanes x chunks from generator state evaluation * N/P."""
    chunks = np.arange(config.chunks)
    counts = np.empty(evaluation.shape, np.int64)
    flat_e, flat_t, flat_c = evaluation.reshape(-1), threshold.reshape(-1), counts.reshape(-1)
    block = max(1, _BLOCK_BITS // config.stream_length)
    for start in range(0, flat_e.size, block):
        e, t = flat_e[start:start + block], flat_t[start:start + block]
        index = (e[:, None] * config.chunks + chunks) % PERIOD
        flat_c[start:start + block] = (config.period_words[:, index] <= t[None, :, None]).sum(axis=(0, 2))
    return counts


@dataclass
class ScEvents:
    """Per evaluation of a run (batch element 0), in order: step, global neuron, source index, signed count,
    and the evaluation number (generator state evaluation * N/P starts its stream)."""

    rows: list


def _project(pop, config, weight_bits, sources, done):
    """Signed counts S [B, n] of one population, the evaluations it used [B], and event rows for batch 0."""
    batch = done.shape[0]
    active = [np.asarray(src) != 0 for src in sources]
    per_proj = np.stack([mask.sum(axis=1) for mask in active], axis=1)  # [B, projections]
    total = per_proj.sum(axis=1)
    before = np.cumsum(per_proj, axis=1) - per_proj
    signed = np.zeros((batch, pop.size), np.int64)
    rows = []
    neurons = np.arange(pop.size)
    for p, (proj, mask) in enumerate(zip(pop.projections, active)):
        b, j = np.nonzero(mask)
        rank = (np.cumsum(mask, axis=1) - 1)[b, j]
        evaluation = (done[b] + before[b, p] + rank)[:, None] + neurons[None, :] * total[b][:, None]
        weight = proj.weight[:, j].T  # [K, n]
        counts = _counts(config, evaluation, thresholds(weight, weight_bits))
        np.add.at(signed, b, np.where(weight < 0, -counts, counts))
        first = b == 0
        rows.append((evaluation[first], j[first], np.where(weight < 0, -counts, counts)[first]))
    return signed, done + pop.size * total, rows


def run_sc(
    net: QuantisedNetwork, inputs: np.ndarray, config: ScConfig, record_voltages: bool = False,
    record_currents: bool = False, events: ScEvents | None = None,
) -> SimulationResult:
    """The SC model of the hardware on spike inputs [T, n_in] or [T, B, n_in]; voltages are raw integers.

    `events`, when given, collects every evaluation of batch element 0 (for co-simulation traces).
    """
    net = sc_network(net)
    inputs = np.asarray(inputs)
    if inputs.ndim == 2:
        inputs = inputs[:, None, :]
    if inputs.ndim != 3 or inputs.shape[-1] != net.input_size:
        raise InputError(f"input must be shaped [T, {net.input_size}] or [T, B, {net.input_size}], got {list(inputs.shape)}")
    if not np.all((inputs == 0) | (inputs == 1)):
        raise InputError("--arith sc takes spike input: every input value must be 0 or 1")
    inputs = inputs.astype(np.int64)
    steps, batch, _ = inputs.shape
    ge = net.spike_condition == "ge"
    base = np.cumsum([0] + [p.size for p in net.populations])
    shape = {p.name: (steps, batch, p.size) for p in net.populations}
    outs = {name: np.zeros(s, np.int64) for name, s in shape.items()}
    volts = {name: np.zeros(s, np.int64) for name, s in shape.items()} if record_voltages else {}
    currents = {name: np.zeros(s, np.int64) for name, s in shape.items()} if record_currents else {}
    state = {p.name: (np.zeros((batch, p.size), np.int64),) * 2 for p in net.populations}
    latest = {p.name: np.zeros((batch, p.size), np.int64) for p in net.populations}
    done = np.zeros(batch, np.int64)  # evaluations since reset, per batch element
    for t in range(steps):
        previous = dict(latest)
        latest["input"] = inputs[t]
        for index, pop in enumerate(net.populations):
            sources = [(previous if proj.recurrent else latest)[proj.source] for proj in pop.projections]
            signed, done, rows = _project(pop, config, net.weight_bits, sources, done)
            if events is not None:
                events.rows.extend(_event_rows(t, base[index], rows))
            acc = scale_counts(signed, config, net.weight_bits) + pop.bias
            out, state[pop.name] = fixed_step(acc, state[pop.name], pop, ge, net.state_bits)
            latest[pop.name] = outs[pop.name][t] = out
            if record_voltages:
                volts[pop.name][t] = state[pop.name][0]
            if record_currents:
                currents[pop.name][t] = state[pop.name][1]
    spiking = {p.name: bool(p.spiking) for p in net.populations}
    return SimulationResult("sc", net.output, outs, volts, currents, spiking)


def _event_rows(step: int, neuron_base: int, rows) -> list:
    """(step, global neuron, source index, signed count, evaluation), sorted by evaluation number."""
    out = []
    for evaluation, source, counts in rows:
        for k in range(evaluation.shape[0]):
            for i in range(evaluation.shape[1]):
                out.append((step, int(neuron_base + i), int(source[k]), int(counts[k, i]), int(evaluation[k, i])))
    return sorted(out, key=lambda row: row[4])


def simulate_sc(
    network: Network, qnet: QuantisedNetwork, inputs: np.ndarray, config: ScConfig
) -> tuple[SimulationResult, SimulationSummary]:
    """`simulate` for `--arith sc`: the sc executor, with its cost against float on the same input."""
    result = run_sc(qnet, inputs, config, record_voltages=True)
    float_run = run_float(network, inputs, record_voltages=True)
    agree, total, error, activity = 0, 0, 0.0, []
    for pop in qnet.populations:
        out = result.outputs[pop.name]
        if pop.spiking:
            agree += int((out == float_run.outputs[pop.name]).sum())
            total += out.size
        error = max(error, float(np.abs(result.voltages[pop.name] * pop.scale - float_run.voltages[pop.name]).max()))
        activity.append(PopulationActivity(pop.name, pop.kind, pop.size, int(out.sum()) if pop.spiking else 0,
                                           float(out.mean()) if pop.spiking else 0.0))
    cost = QuantisationCost(agree / total if total else 1.0, error)
    steps, batch = result.output.shape[:2]
    return result, SimulationSummary("sc", steps, batch, tuple(activity), cost)
