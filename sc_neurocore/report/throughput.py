"""Cycles per time step of `hdl/snn/snn_core.sv` and `hdl/snn/snn_sc_core.sv`, derived from their FSMs, and the throughput.

One time step of the core, with the host streaming one input word per clock:

    input     n_in + 1            S_INPUT: one cycle per input spike index, one for the end-of-step word
    compute   2 + sum over populations p of (1 + size_p * neuron_p)      S_POP per population, the final
              S_POP and S_EOS
    neuron_p  6 + P + E + drain   S_NEURON, one S_PROJ per projection plus the closing one,
                                  the 4-cycle S_UPDATE (snn_neuron_update), one S_STREAM cycle per arrived event
    drain     1 when E = 0, else max(1, 4 - trailing)

with P the population's projections, E the events of their sources (this step's list, the previous
step's for a recurrent projection) and `trailing` the number of empty projections after the last
non-empty one: S_DRAIN waits for the 4-stage weight pipeline, which the trailing S_PROJ cycles overlap.
Every neuron of a population sees the same event counts, so the model is exact given the counts; the
co-simulation test checks it against Icarus cycle for cycle. Reset (S_CLEAR, one cycle per neuron) is
paid once and left out.

`hdl/snn/snn_sc_core.sv` (`--arith sc`) runs the same schedule with two differences, read off its FSM:

    event     CHUNKS + 5          S_EV, S_EV_WAIT, S_W, S_W_WAIT, S_THR, then CHUNKS cycles of S_RUN
                                  (CHUNKS = stream length / lanes) per arrived event, instead of 1
    drain     1 when E = 0, else max(1, 2 - trailing)     S_DRAIN waits for the 2-stage count pipeline

so neuron_p = 6 + P + E * (CHUNKS + 5) + drain; input phase, S_POP, S_EOS and S_UPDATE are unchanged.
`CoreTiming` holds the two numbers of each core.

`hdl/snn/snn_conv_core.sv` (convolutional networks) walks every neuron's whole window, so its compute phase
depends only on each layer's size, taps and lanes, never on the events; its model lives with the core
(backends/cores/conv), and a build's manifest records the compute cycles of every step.
"""

from dataclasses import dataclass, field

import numpy as np

from sc_neurocore.errors import InputError

__all__ = [
    "CoreShape", "CoreTiming", "FIXED_CORE", "CONV_CORE", "PopulationShape", "Throughput", "compute_cycles", "step_cycles",
    "cycle_bounds", "throughput",
]

_UPDATE_CYCLES = 6  # S_NEURON, the closing S_PROJ, the 4 cycles of S_UPDATE


@dataclass(frozen=True)
class CoreTiming:
    """What distinguishes the two cores' schedules: clocks per arrived event, and the pipeline S_DRAIN waits for."""

    core: str  # the RTL module
    event_cycles: int
    drain_stages: int

    @classmethod
    def sc(cls, chunks: int) -> "CoreTiming":
        """snn_sc_core: 5 cycles to fetch the event and weight and set the threshold, then CHUNKS streaming."""
        if isinstance(chunks, bool) or not isinstance(chunks, (int, np.integer)) or chunks < 1:
            raise InputError(f"the SC core streams at least one chunk per event, got chunks={chunks!r}")
        return cls("snn_sc_core", int(chunks) + 5, 2)  # registered bits, registered popcount

    @classmethod
    def from_manifest(cls, manifest: dict) -> "CoreTiming":
        """The timing of the core a build's manifest describes (`arith` "sc", the convolution core, or snn_core)."""
        if manifest.get("core") == CONV_CORE.core:
            return CONV_CORE
        if manifest.get("arith") != "sc":
            return FIXED_CORE
        try:
            return cls.sc(int(manifest["sc"]["chunks"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"the build manifest does not record the SC core's chunks: {exc!r}") from exc


# snn_core: one S_STREAM cycle per event; event address, event read, weight address, weight read
FIXED_CORE = CoreTiming("snn_core", 1, 4)
# snn_conv_core: no per-event work (it reads spike bitmaps); its schedule comes from each layer's taps
CONV_CORE = CoreTiming("snn_conv_core", 0, 0)


@dataclass(frozen=True)
class PopulationShape:
    name: str
    size: int
    spiking: bool
    sources: tuple[str, ...]  # "input" or a population name, one per projection, in table order
    recurrent: tuple[bool, ...]
    cycles: int | None = field(default=None, compare=False)  # snn_conv_core's cycles per step, from its manifest


@dataclass(frozen=True)
class CoreShape:
    """What the core's schedule depends on: population sizes and where their projections come from."""

    input_size: int
    populations: tuple[PopulationShape, ...]  # execution order
    compute_cycles: int | None = field(default=None, compare=False)  # snn_conv_core's activity-independent compute phase, from its manifest

    @classmethod
    def from_network(cls, net) -> "CoreShape":
        """From a QuantisedNetwork (or a Network: only sizes and projections are read)."""
        return cls(net.input_size, tuple(
            PopulationShape(p.name, p.size, bool(p.spiking), tuple(q.source for q in p.projections),
                            tuple(bool(q.recurrent) for q in p.projections))
            for p in net.populations
        ))

    @classmethod
    def from_manifest(cls, manifest: dict) -> "CoreShape":
        """From a build's manifest.json, which records the same tables."""
        try:
            pops = tuple(
                PopulationShape(str(p["name"]), int(p["size"]), bool(p["spiking"]), tuple(p["sources"]),
                                tuple(bool(r) for r in p["recurrent"]),
                                int(p["cycles_per_step"]) if "cycles_per_step" in p else None)
                for p in manifest["populations"]
            )
            compute = manifest.get("compute_cycles_per_step")
            return cls(int(manifest["input_size"]), pops, None if compute is None else int(compute))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"the build manifest does not describe the core's populations: {exc!r}") from exc


def _previous(counts: np.ndarray) -> np.ndarray:
    # a recurrent projection reads the previous step's list, which is empty at the first step
    shifted = np.zeros_like(counts)
    shifted[1:] = counts[:-1]
    return shifted


def compute_cycles(shape: CoreShape, events: dict[str, np.ndarray], timing: CoreTiming = FIXED_CORE) -> np.ndarray:
    """Clock cycles from the end-of-step word to the end of S_EOS, per step, of the core `timing` names.

    `events` maps "input" and every spiking population to its event count per step, shaped [T, ...]
    (extra axes, e.g. batch, are carried through); populations that never fire may be left out.
    """
    reference = np.asarray(events["input"], dtype=np.int64)
    if timing == CONV_CORE:
        if shape.compute_cycles is None:
            raise InputError("the convolution core's cycle model needs its compute cycles per step from the build "
                             "manifest; rebuild with this version of sc-neurocore")
        return np.full(reference.shape, shape.compute_cycles, dtype=np.int64)
    total = np.full(reference.shape, 2, dtype=np.int64)
    for pop in shape.populations:
        arrived = np.zeros(reference.shape, dtype=np.int64)
        trailing = np.zeros(reference.shape, dtype=np.int64)
        for source, recurrent in zip(pop.sources, pop.recurrent):
            counts = np.asarray(events.get(source, np.zeros_like(reference)), dtype=np.int64)
            counts = _previous(counts) if recurrent else counts
            arrived += counts
            trailing = np.where(counts > 0, 0, trailing + 1)
        drain = np.where(arrived > 0, np.maximum(1, timing.drain_stages - trailing), 1)
        total += 1 + pop.size * (_UPDATE_CYCLES + len(pop.sources) + timing.event_cycles * arrived + drain)
    return total


def step_cycles(shape: CoreShape, events: dict[str, np.ndarray], timing: CoreTiming = FIXED_CORE) -> np.ndarray:
    """Cycles of whole time steps: input words at one per clock, then the compute phase."""
    return np.asarray(events["input"], dtype=np.int64) + 1 + compute_cycles(shape, events, timing)


def cycle_bounds(shape: CoreShape, timing: CoreTiming = FIXED_CORE) -> tuple[int, int]:
    """(fewest, most) cycles one step can take: no spike anywhere, every neuron spiking every step."""
    quiet = {"input": np.zeros(2, dtype=np.int64)}
    busy = {"input": np.full(2, shape.input_size)}
    busy.update({p.name: np.full(2, p.size if p.spiking else 0) for p in shape.populations})
    # step 1 of 2, where recurrent projections see a full previous step
    return int(step_cycles(shape, quiet, timing)[1]), int(step_cycles(shape, busy, timing)[1])


@dataclass(frozen=True)
class Throughput:
    """Speed at the achieved Fmax; `measured` rows are None without a simulation to count events."""

    fmax_mhz: float
    steps_per_inference: int | None
    min_cycles_per_step: int
    max_cycles_per_step: int
    mean_cycles_per_step: float | None  # over the simulated steps and samples
    dt: float  # model seconds per step
    core: str = FIXED_CORE.core  # the RTL module whose schedule was counted

    def steps_per_second(self, cycles: float | None) -> float | None:
        return None if cycles is None else self.fmax_mhz * 1e6 / cycles

    @property
    def measured_steps_per_second(self) -> float | None:
        return self.steps_per_second(self.mean_cycles_per_step)

    @property
    def worst_steps_per_second(self) -> float:
        return self.steps_per_second(self.max_cycles_per_step)

    @property
    def inferences_per_second(self) -> float | None:
        rate = self.measured_steps_per_second
        return None if rate is None or not self.steps_per_inference else rate / self.steps_per_inference

    @property
    def seconds_per_inference(self) -> float | None:
        rate = self.inferences_per_second
        return None if not rate else 1.0 / rate

    @property
    def real_time_factor(self) -> float | None:
        """Model time simulated per wall-clock second: above 1 runs faster than real time."""
        rate = self.measured_steps_per_second
        return None if rate is None else rate * self.dt

    def to_dict(self) -> dict:
        return {
            "core": self.core,
            "fmax_mhz": self.fmax_mhz,
            "cycles_per_step": {"min": self.min_cycles_per_step, "max": self.max_cycles_per_step,
                                "mean": self.mean_cycles_per_step},
            "steps_per_inference": self.steps_per_inference,
            "steps_per_second": self.measured_steps_per_second,
            "worst_case_steps_per_second": self.worst_steps_per_second,
            "inferences_per_second": self.inferences_per_second,
            "seconds_per_inference": self.seconds_per_inference,
            "real_time_factor": self.real_time_factor,
            "dt": self.dt,
        }


def throughput(shape: CoreShape, fmax_mhz: float, dt: float, events: dict[str, np.ndarray] | None = None,
               timing: CoreTiming = FIXED_CORE) -> Throughput:
    """Bounds from the shape alone; with per-step `events` [T, B] also the mean and inferences/s."""
    fewest, most = cycle_bounds(shape, timing)
    mean, steps = None, None
    if events is not None:
        cycles = step_cycles(shape, events, timing)
        mean, steps = float(cycles.mean()), int(cycles.shape[0])
    return Throughput(float(fmax_mhz), steps, fewest, most, mean, float(dt), timing.core)
