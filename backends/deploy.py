"""compile and deploy as library calls: a network in, a build directory (and a build report) out."""

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from sc_neurocore.errors import FitError, UnsupportedError
from sc_neurocore.passes.quantise import QuantisedNetwork
from sc_neurocore.sim.sc import ScConfig

from .build_dir import check_writable, fresh_partial, promote, write_files
from .conv_layers import conv_compute_cycles, conv_cycle_bounds, uses_conv_core
from .conv_systemverilog import CONV_MODULE, SPRAM_BLOCKS, emit_conv

from .ice40 import DEVICES, Ice40Options, check_package_pins, run_ice40_flow
from .reports import BuildReport
from .sc_systemverilog import emit_sc
from .systemverilog import BuildPlan, emit

__all__ = ["CompileResult", "DeployResult", "compile_design", "deploy_design", "build_plan", "BlockDeployResult",
           "check_fold_fit", "check_memory_fit", "with_provenance", "BUILD_REPORT"]

BUILD_REPORT = "build_report.json"
EBR_BITS = 4096


def check_memory_fit(manifest: dict, device: str) -> None:
    """Weights live in block RAM (SPRAM for the convolution core) and cannot spill into logic."""
    if manifest.get("core") == CONV_MODULE:
        if DEVICES[device].spram < SPRAM_BLOCKS:
            raise FitError(f"the convolution core keeps weights and membranes in SPRAM, which {device} lacks "
                           f"({DEVICES[device].spram} blocks); use --device up5k")
        return
    weight_bits = manifest["memories"]["weight_words"] * manifest["weight_bits"]
    available = DEVICES[device].ebr * EBR_BITS
    if weight_bits > available:
        raise FitError(
            f"the weights need {weight_bits / 1024:.1f} kbit of block RAM but {device} has "
            f"{available / 1024:.0f} kbit ({DEVICES[device].ebr} EBR); use fewer --weight-bits or a smaller network"
        )


@dataclass(frozen=True)
class CompileResult:
    out_dir: Path
    plan: BuildPlan


@dataclass(frozen=True)
class DeployResult:
    out_dir: Path
    report: BuildReport
    emit_seconds: float
    manifest: dict


def _emit(qnet: QuantisedNetwork, sc: ScConfig | None) -> BuildPlan:
    """The fixed-point design (the convolution core when a projection is a convolution or pooling chain),
    or with `sc` the stochastic-computing one (`--arith sc`)."""
    if uses_conv_core(qnet):
        if sc is not None:
            raise UnsupportedError("--arith sc has no convolution core: build convolutional networks with --arith fixed")
        return emit_conv(qnet)
    return emit(qnet) if sc is None else emit_sc(qnet, sc)


def conv_throughput(manifest: dict, fmax_mhz: float | None) -> dict:
    """The convolution core's cycles per time step (activity-independent compute) and time steps per second."""
    layers = [p["cycles_per_step"] for p in manifest["populations"]]
    compute = conv_compute_cycles(manifest["input_size"], layers)
    fewest, most = conv_cycle_bounds(manifest["input_size"], layers)
    return {
        "core": CONV_MODULE, "fmax_mhz": fmax_mhz, "compute_cycles_per_step": compute,
        "cycles_per_step": {"min": fewest, "max": most},
        "steps_per_second": {"max": fmax_mhz * 1e6 / fewest, "min": fmax_mhz * 1e6 / most} if fmax_mhz else None,
    }


def compile_design(
    qnet: QuantisedNetwork, out_dir: Path, force: bool = False, provenance: dict | None = None,
    sc: ScConfig | None = None,
) -> CompileResult:
    """Write the generated design, memory images, testbench and manifest into `out_dir`."""
    out_dir = Path(out_dir)
    check_writable(out_dir, force)
    plan = with_provenance(_emit(qnet, sc), provenance)
    partial = fresh_partial(out_dir)
    write_files(partial, plan.files)
    promote(partial, out_dir)
    return CompileResult(out_dir, plan)


def with_provenance(plan: BuildPlan, provenance: dict | None) -> BuildPlan:
    """`plan` with `provenance` (where the design came from) recorded in its manifest."""
    if not provenance:
        return plan
    manifest = dict(plan.manifest, provenance=provenance)
    files = dict(plan.files, **{"manifest.json": json.dumps(manifest, indent=2, sort_keys=True) + "\n"})
    return BuildPlan(files=files, top=plan.top, sources=plan.sources, memory_files=plan.memory_files, manifest=manifest)


@dataclass(frozen=True)
class BlockDeployResult:
    """A deployed transformer block (SSM, CPG encoder): where it went and what it costs."""

    out_dir: Path
    report: BuildReport
    manifest: dict


def check_fold_fit(what: str, spec, needs: Callable, device: str, package: str | None, no_fold_advice: str) -> None:
    """FitError naming what a folded block needs and which folds (`lanes`) would fit, before any tool runs.

    `needs(spec, device, pins)` lists what `spec` lacks on the device ("12 EBR (has 8)"), empty if it fits.
    """
    part = DEVICES[device]
    pins = part.packages[package or part.default_package]
    problems = needs(spec, device, pins)
    if not problems:
        return
    fitting = [lanes for lanes in spec.lane_choices() if not needs(replace(spec, lanes=lanes), device, pins)]
    advice = f"folds that fit: lanes={', '.join(map(str, fitting))}" if fitting else no_fold_advice
    raise FitError(f"{what} with lanes={spec.lanes} does not fit {device}: it needs {', '.join(problems)}; {advice}")


def build_plan(
    plan: BuildPlan, out_dir: Path, options: Ice40Options, emit_seconds: float,
    before_flow: Callable[[Path], dict] | None = None, after_flow: Callable[[BuildReport], dict] | None = None,
) -> BuildReport:
    """Write `plan`, run the iCE40 flow, record build_report.json; promote only a good build.

    `before_flow(partial_dir)` may run extra work in the build (a core-only synthesis, say) and
    `after_flow(report)` may derive figures from the tools' results (throughput at the achieved Fmax);
    both return entries to add to the recorded report.
    """
    partial = fresh_partial(out_dir)
    write_files(partial, plan.files)
    extra = before_flow(partial) if before_flow is not None else {}
    report = run_ice40_flow(partial, plan.top, plan.sources, options, plan.memory_files)
    if after_flow is not None:
        extra = {**extra, **after_flow(report)}
    record = report.to_dict()
    record["stage_seconds"] = {"emit": round(emit_seconds, 4), **record.get("stage_seconds", {})}
    record["manifest"] = plan.manifest
    record.update(extra)
    # Paths inside the report are relative to the build directory, which is about to be renamed.
    record["bitstream"] = Path(report.bitstream).name if report.bitstream else None
    (partial / BUILD_REPORT).write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    promote(partial, out_dir)
    return replace(BuildReport.from_dict(record), bitstream=out_dir / record["bitstream"] if record["bitstream"] else None)


def deploy_design(
    qnet: QuantisedNetwork, out_dir: Path, options: Ice40Options, force: bool = False, provenance: dict | None = None,
    sc: ScConfig | None = None,
) -> DeployResult:
    """Emit the design (stochastic synapses with `sc`) and run yosys -> nextpnr-ice40 -> icepack on it."""
    out_dir = Path(out_dir)
    check_writable(out_dir, force)
    started = time.perf_counter()
    plan = with_provenance(_emit(qnet, sc), provenance)
    check_package_pins(plan.manifest["top_level_io_bits"], options.device, options.package)
    check_memory_fit(plan.manifest, options.device)
    emit_seconds = time.perf_counter() - started
    def conv_throughput_entry(report) -> dict:
        achieved = min((fmax for fmax, _ in report.fmax_mhz.values()), default=None)
        return {"throughput": conv_throughput(plan.manifest, achieved)}

    # the convolution core's schedule is activity-independent: its throughput is exact at the achieved Fmax
    after_flow = conv_throughput_entry if plan.manifest.get("core") == CONV_MODULE else None
    final = build_plan(plan, out_dir, options, emit_seconds, after_flow=after_flow)
    return DeployResult(out_dir, final, emit_seconds, plan.manifest)
