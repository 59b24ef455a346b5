"""Deploy a CPG encoder spec: fit checks, then the encoder's iCE40 build."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

from sc_neurocore.errors import FitError
from sc_neurocore.transformers.spec import CpgSpec

from .build_dir import check_writable
from .cpg_systemverilog import emit_cpg, top_level_io_bits
from .ice40 import DEVICES, Ice40Options
from .reports import BuildReport
from .deploy import build_plan
from .ssm_deploy import ebr_blocks

__all__ = ["CpgDeployResult", "cpg_ebr_estimate", "check_cpg_fit", "deploy_cpg"]


def cpg_ebr_estimate(spec: CpgSpec) -> int:
    """Block RAMs of the phase and increment memories (rows of `lanes` phases)."""
    return 2 * ebr_blocks(spec.d_model // 2 // spec.lanes, spec.phase_bits * spec.lanes)


def _needs(spec: CpgSpec, device: str, pins: int) -> list[str]:
    problems = []
    if top_level_io_bits(spec) > pins:
        problems.append(f"{top_level_io_bits(spec)} IO pins (has {pins})")
    if cpg_ebr_estimate(spec) > DEVICES[device].ebr:
        problems.append(f"{cpg_ebr_estimate(spec)} EBR (has {DEVICES[device].ebr})")
    return problems


def check_cpg_fit(spec: CpgSpec, device: str = "up5k", package: str | None = None) -> None:
    """FitError, naming what the encoder needs and which folds would fit, before any tool runs."""
    part = DEVICES[device]
    pins = part.packages[package or part.default_package]
    problems = _needs(spec, device, pins)
    if not problems:
        return
    fitting = [lanes for lanes in spec.lane_choices() if not _needs(replace(spec, lanes=lanes), device, pins)]
    advice = f"folds that fit: lanes={', '.join(map(str, fitting))}" if fitting else "no fold fits: use a smaller d_model"
    raise FitError(f"CPG encoder with lanes={spec.lanes} does not fit {device}: it needs {', '.join(problems)}; {advice}")


@dataclass(frozen=True)
class CpgDeployResult:
    out_dir: Path
    report: BuildReport
    manifest: dict


def deploy_cpg(spec: CpgSpec, out_dir: Path, options: Ice40Options = Ice40Options(), force: bool = False) -> CpgDeployResult:
    """Emit, place and route the CPG encoder of `spec` into `out_dir`."""
    out_dir = Path(out_dir)
    check_writable(out_dir, force)
    check_cpg_fit(spec, options.device, options.package)
    started = time.perf_counter()
    plan = emit_cpg(spec)
    return CpgDeployResult(out_dir, build_plan(plan, out_dir, options, time.perf_counter() - started), plan.manifest)
