"""The report of one build (or the comparison of two) as one versioned document.

`make_report` reads a build directory and, given the model it was built from, simulates the model on
given or generated input to add activity, throughput from measured events, energy and accuracy.
`report_document` turns reports into the JSON that `docs/report.schema.json` describes.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sc_neurocore import __version__
from sc_neurocore.errors import InputError
from sc_neurocore.passes.pipeline import load_quantised
from sc_neurocore.sim import run_fixed, run_float
from sc_neurocore.sim.sc import run_sc, sc_config
from sc_neurocore.sim.stimulus import poisson_spikes

from .accuracy import Accuracy, Workload, load_workload, measure_accuracy
from .activity import Activity, event_counts, measure_activity
from .build import Build, check_model, load_build
from .energy import EnergyEstimate, estimate_energy
from .link import LinkFigures, core_clock_mhz, link_figures
from .numbers import seconds
from .transformer import TRANSFORMER_BLOCK, transformer_build_accuracy
from .throughput import CoreShape, CoreTiming, Throughput, throughput

__all__ = ["REPORT_SCHEMA_VERSION", "Report", "DeltaRow", "make_report", "compare", "report_document", "throughput_gap"]

# 2: each build names its arithmetic, accuracy reads "hardware" (the build's own arithmetic) instead of
#    "fixed", throughput names its core and gives seconds per inference, SC builds have throughput.
REPORT_SCHEMA_VERSION = 4


@dataclass(frozen=True)
class Report:
    build: Build
    throughput: Throughput | None  # None when the build has no Fmax
    source: str | None = None  # where the simulated input came from; None without a model
    activity: Activity | None = None
    energy: EnergyEstimate | None = None
    accuracy: Accuracy | None = None
    link: LinkFigures | None = None  # a board build: the UART link's share of one inference

    @property
    def arith(self) -> str:
        """The build's arithmetic: "sc" (stochastic streams, snn_sc_core) or "fixed" (snn_core)."""
        return "sc" if self.build.manifest.get("arith") == "sc" else "fixed"

    @property
    def arith_label(self) -> str:
        """"fixed point" or "SC, N = 256": for table headings."""
        if self.arith == "fixed":
            return "fixed point"
        return f"SC, N = {self.build.manifest.get('sc', {}).get('stream_length', '?')}"

    def to_dict(self) -> dict:
        workload = None
        if self.source is not None:
            workload = {
                "input": self.source, "activity": self.activity.to_dict() if self.activity else None,
                "energy": self.energy.to_dict() if self.energy else None,
                "accuracy": self.accuracy.to_dict() if self.accuracy else None,
            }
        return {
            "path": str(self.build.path),
            "build": self.build.report.to_dict(),
            "arith": {"kind": self.arith,
                      "stream_length": self.build.manifest["sc"].get("stream_length") if self.arith == "sc" else None},
            "manifest": self.build.manifest,
            "parts": self.build.parts,
            "throughput": self.throughput.to_dict() if self.throughput else None,
            "workload": workload,
            "board": self.build.manifest.get("board"),
            "link": self.link.to_dict() if self.link else None,
        }


def _workload(input_path: Path | None, steps: int, rate: float, seed: int, size: int) -> Workload:
    if input_path is not None:
        return load_workload(input_path, size, steps, seed)
    inputs = poisson_spikes(steps, size, rate, seed)
    return Workload(inputs, None, f"Poisson input, {steps} steps at rate {rate:g} per step, seed {seed}")


def make_report(build_dir, model=None, input_path=None, steps: int = 100, rate: float = 0.1, seed: int = 0) -> Report:
    """Report of a build; with `model`, also what the model does on `input_path` (or Poisson input)."""
    build = load_build(build_dir)
    fmax = build.fmax_mhz
    if build.block is not None:  # a transformer block: its cycles per inference are in the manifest
        if build.block == TRANSFORMER_BLOCK and model is not None:
            accuracy, source = transformer_build_accuracy(build, Path(model), input_path)
            return Report(build, None, source, accuracy=accuracy, link=_dense_link(build))
        if model is not None or input_path is not None:
            raise InputError(f"{build.path} is a {build.block} block: --model and --input apply to network builds "
                             "and trained transformers")
        return Report(build, None, link=_dense_link(build))
    dt = float(build.manifest.get("dt", build.model_options.dt))
    if model is None:
        if input_path is not None:
            raise InputError(f"--input {input_path} needs --model: the input is simulated on the model")
        return Report(build, _throughput(build, core_clock_mhz(fmax, build.manifest.get("board")), dt))
    check_model(build, model)  # the cheap sha256 check first, the populations once the model is lowered
    network, qnet = load_quantised(model, build.model_options)
    check_model(build, model, CoreShape.from_network(qnet))
    workload = _workload(input_path, steps, rate, seed, network.input_size)
    sc = _sc_config(build)
    # The build's own arithmetic: an SC build is simulated with its streams, not with fixed point.
    fixed = run_fixed(qnet, workload.inputs) if sc is None else run_sc(qnet, workload.inputs, sc)
    events = event_counts(qnet, workload.inputs, fixed)
    accuracy = None
    if workload.labels is not None:
        reference = run_float(network, workload.inputs)
        accuracy = measure_accuracy(reference.output, fixed.output, workload.labels, "fixed" if sc is None else "sc")
    speed = _throughput(build, core_clock_mhz(fmax, build.manifest.get("board")), qnet.dt, events)
    return Report(
        build, speed, workload.source, measure_activity(qnet, workload.inputs, fixed),
        estimate_energy(qnet, events), accuracy, _events_link(build, workload.inputs, fixed, speed),
    )


def _dense_link(build) -> LinkFigures | None:
    """A dense core's link per inference: fixed word counts each way, its cycles at the board's clock."""
    board, stream = build.manifest.get("board"), build.manifest.get("stream") or {}
    if board is None or stream.get("format") != "dense":
        return None
    cycles = build.manifest.get("cycles_per_inference")
    core_seconds = cycles / (float(board["core_clock_mhz"]) * 1e6) if cycles else None
    return link_figures(board["link"], int(stream["in_words_per_inference"]),
                        int(stream["out_words_per_inference"]), core_seconds)


def _events_link(build, inputs: np.ndarray, fixed, speed: Throughput | None) -> LinkFigures | None:
    """An event core's link per inference, from the simulated spikes: an input word per spike and one
    per step; an output word per output spike (per neuron and step when it reports values) and per step."""
    board, stream = build.manifest.get("board"), build.manifest.get("stream") or {}
    if board is None or stream.get("format") != "events":
        return None
    steps, batch = np.asarray(inputs).shape[:2]
    words_in = (np.asarray(inputs) != 0).sum() / batch + steps
    if stream.get("out_value_bits"):
        words_out = steps * (int(stream["out_size"]) + 1)
    else:
        words_out = (np.asarray(fixed.output) != 0).sum() / batch + steps
    core_seconds = speed.seconds_per_inference if speed is not None else None
    return link_figures(board["link"], int(round(words_in)), int(round(words_out)), core_seconds)


def _sc_config(build):
    """The SC configuration of an `--arith sc` build, None for the fixed-point core."""
    if build.manifest.get("arith") != "sc":
        return None
    recorded = build.manifest["sc"]
    return sc_config(recorded["stream_length"], seed=recorded.get("seed", 1))


def throughput_gap(report: "Report") -> str:
    """Why a report has no throughput figures (and, for a transformer block, its time per inference)."""
    manifest, fmax = report.build.manifest, report.build.fmax_mhz
    cycles = manifest.get("cycles_per_inference")
    if report.build.block is None or fmax is None:
        return "the build has no Fmax"
    if cycles is None:
        return f"a {report.build.block} block: see its manifest for the schedule"
    time = f"{cycles} cycles per inference, {seconds(cycles / (fmax * 1e6))} at {fmax:.1f} MHz"
    if "projection_cycles" in manifest:  # the attention layer: projections, then T runs of the core
        time += (f" ({manifest['projection_cycles']} for the projections, then {manifest['spec']['T']} steps x "
                 f"{manifest['cycles_per_step']} in the core)")
    if "weight_load_cycles" in manifest:  # weights in SPRAM: the host streams them once after reset
        time += f"; once after reset, {manifest['weight_load_cycles']} cycles to stream the weights into SPRAM"
    return time


def _throughput(build, fmax, dt, events=None):
    # The cycle model of the build's own core: snn_core, or snn_sc_core with its CHUNKS + 5 clocks per event.
    if fmax is None:
        return None
    return throughput(build.shape, fmax, dt, events, CoreTiming.from_manifest(build.manifest))


@dataclass(frozen=True)
class DeltaRow:
    """One figure of two builds; `relative` is (b - a) / a, None when a is 0 or either is unknown."""

    metric: str
    unit: str
    a: float | None
    b: float | None

    @property
    def delta(self) -> float | None:
        return None if self.a is None or self.b is None else self.b - self.a

    @property
    def relative(self) -> float | None:
        return None if self.delta is None or not self.a else self.delta / self.a

    def to_dict(self) -> dict:
        return {"metric": self.metric, "unit": self.unit, "a": self.a, "b": self.b,
                "delta": self.delta, "relative": self.relative}


def _resources(report: Report) -> dict[str, int]:
    return {row.name: row.used for row in report.build.report.resources}


_SPEED = (
    ("worst-case cycles per step", "cycles", lambda t: t.max_cycles_per_step),
    ("mean cycles per step", "cycles", lambda t: t.mean_cycles_per_step),
    ("time steps per second", "1/s", lambda t: t.measured_steps_per_second),
    ("worst-case steps per second", "1/s", lambda t: t.worst_steps_per_second),
    ("inferences per second", "1/s", lambda t: t.inferences_per_second),
    ("time per inference", "s", lambda t: t.seconds_per_inference),
)

_ACCURACY = (
    ("accuracy", lambda acc: 100 * acc.hardware_accuracy),
    ("float accuracy", lambda acc: 100 * acc.float_accuracy),
    ("agreement with float", lambda acc: 100 * acc.agreement),
)


def _speed(report: Report, figure) -> float | None:
    return None if report.throughput is None else figure(report.throughput)


def _accuracy(report: Report, figure) -> float | None:
    return None if report.accuracy is None else figure(report.accuracy)


def _spikes_per_inference(report: Report) -> dict[str, float]:
    """Spikes of each spiking population per inference (one sample's run), by the build's own arithmetic."""
    if report.activity is None:
        return {}
    batch = report.activity.batch
    return {layer.name: layer.spikes / batch for layer in report.activity.layers[1:] if layer.spiking}


def compare(a: Report, b: Report) -> tuple[DeltaRow, ...]:
    """Resources, Fmax, throughput and (with a model) what each build computes, of build `b` against `a`.

    Each build is simulated with its own arithmetic, so a fixed-point build against an `--arith sc` build
    of the same model sets cost, speed and accuracy side by side on the same input.
    """
    res_a, res_b = _resources(a), _resources(b)
    rows = [DeltaRow(name, "cells", res_a.get(name), res_b.get(name)) for name in dict.fromkeys([*res_a, *res_b])]
    rows.append(DeltaRow("Fmax", "MHz", a.build.fmax_mhz, b.build.fmax_mhz))
    rows += [DeltaRow(metric, unit, _speed(a, figure), _speed(b, figure)) for metric, unit, figure in _SPEED]
    rows += [DeltaRow(metric, "%", _accuracy(a, figure), _accuracy(b, figure)) for metric, figure in _ACCURACY]
    spikes_a, spikes_b = _spikes_per_inference(a), _spikes_per_inference(b)
    rows += [DeltaRow(f"{name} spikes per inference", "spikes", spikes_a.get(name), spikes_b.get(name))
             for name in dict.fromkeys([*spikes_a, *spikes_b])]
    return tuple(row for row in rows if row.a is not None or row.b is not None)


def report_document(reports: list[Report]) -> dict:
    """The versioned JSON document of one report, or of two with their comparison."""
    comparison = None
    if len(reports) == 2:
        comparison = [row.to_dict() for row in compare(*reports)]
    return {
        "schema": "sc-neurocore-report",
        "schema_version": REPORT_SCHEMA_VERSION,
        "generator": f"sc-neurocore {__version__}",
        "builds": [report.to_dict() for report in reports],
        "comparison": comparison,
    }

