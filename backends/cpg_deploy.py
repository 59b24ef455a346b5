"""Deploy a CPG encoder spec: fit checks, then the encoder's iCE40 build."""

from __future__ import annotations

import time
from pathlib import Path

from sc_neurocore.transformers.spec import CpgSpec

from sc_neurocore.backends.build.build_dir import check_writable
from sc_neurocore.backends.cpg_systemverilog import emit_cpg, top_level_io_bits
from sc_neurocore.backends.deploy import BlockDeployResult, build_plan, check_fold_fit, with_provenance
from sc_neurocore.backends.flow.icestorm import DEVICES, Ice40Options
from sc_neurocore.backends.ssm_deploy import ebr_blocks

__all__ = ["cpg_ebr_estimate", "check_cpg_fit", "deploy_cpg"]


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


def check_cpg_fit(spec, device: str = "up5k", package: str | None = None) -> None:
    """FitError, naming what the CPG block needs and which folds would fit, before any tool runs."""
    check_fold_fit("CPG encoder", spec, _needs, device, package, "no fold fits: use a smaller d_model")


def deploy_cpg(spec: CpgSpec, out_dir: Path, options: Ice40Options = Ice40Options(), force: bool = False,
               provenance: dict | None = None) -> BlockDeployResult:
    """Emit, place and route the CPG encoder of `spec` into `out_dir`; `provenance` goes into the manifest."""
    out_dir = Path(out_dir)
    check_writable(out_dir, force)
    check_cpg_fit(spec, options.device, options.package)
    started = time.perf_counter()
    plan = with_provenance(emit_cpg(spec), provenance)
    return BlockDeployResult(out_dir, build_plan(plan, out_dir, options, time.perf_counter() - started), plan.manifest)
