"""Deploy a spike-driven attention spec: fit checks, the layer's iCE40 build, the core's own synthesis.

yosys flattens the layer, so the attention core's cost comes from a second, synthesis-only run of the
core alone (`attn_core_only`); the layer itself is placed and routed by `run_ice40_flow`.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, replace
from pathlib import Path

from sc_neurocore.errors import FitError
from sc_neurocore.transformers.fixed_attention import attention_formats
from sc_neurocore.transformers.spec import AttentionSpec, CpgSpec, SsmSpec

from .attention_systemverilog import CORE_SOURCES, CORE_TOP, emit_attention, top_level_io_bits
from .build_dir import check_writable, write_files
from .cpg_deploy import deploy_cpg
from .deploy import BlockDeployResult, build_plan
from .ice40 import DEVICES, Ice40Options, yosys_script
from .reports import BuildReport
from .ssm_deploy import deploy_ssm
from .toolrun import run_tool
from .tools import find_toolchain

__all__ = ["AttentionDeployResult", "ebr_estimate", "check_attention_fit", "synthesise_core", "deploy_attention"]

BUILD_REPORT = "build_report.json"
CORE_DIR = "core_only"
# (depth, width) configurations of one 4-kbit iCE40 EBR
_EBR_SHAPES = ((256, 16), (512, 8), (1024, 4), (2048, 2))


def _ebr_blocks(depth: int, width: int) -> int:
    return min(-(-width // w) * -(-depth // d) for d, w in _EBR_SHAPES)


def ebr_estimate(spec: AttentionSpec) -> int:
    """Block RAMs of the layer: four spike memories (H*N x DH) and the membranes (H*N*DH/L x L*AB)."""
    hn = spec.num_heads * spec.tokens
    membranes = _ebr_blocks(hn * spec.head_dim // spec.lanes, spec.lanes * attention_formats(spec).ab)
    return 4 * _ebr_blocks(hn, spec.head_dim) + membranes


def check_attention_fit(spec: AttentionSpec, device: str = "up5k", package: str | None = None) -> None:
    """FitError, naming what the layer needs and which folds would fit, before any tool runs."""
    part = DEVICES[device]
    pins = part.packages[package or part.default_package]
    problems = []
    if top_level_io_bits(spec) > pins:
        problems.append(f"{top_level_io_bits(spec)} IO pins (has {pins})")
    if ebr_estimate(spec) > part.ebr:
        problems.append(f"{ebr_estimate(spec)} EBR (has {part.ebr})")
    if not problems:
        return
    fitting = [
        lanes for lanes in spec.lane_choices()
        if top_level_io_bits(replace(spec, lanes=lanes)) <= pins and ebr_estimate(replace(spec, lanes=lanes)) <= part.ebr
    ]
    advice = (f"folds that fit: lanes={', '.join(map(str, fitting))} (fewer lanes, fewer cells)" if fitting
              else "no fold fits: use fewer tokens, a smaller head dimension or more heads")
    raise FitError(f"attention layer with lanes={spec.lanes} does not fit {device}: it needs {', '.join(problems)}; {advice}")


def synthesise_core(
    work_dir: Path, top: str = CORE_TOP, sources=CORE_SOURCES, device: str = "up5k", tools: str = "auto",
    timeout_s: float = 600,
) -> dict:
    """yosys alone on `top` (sources already written in `work_dir`): its cells by type."""
    yosys = find_toolchain(tools).yosys.path
    (work_dir / "core.ys").write_text(yosys_script(top, sources, device), encoding="utf-8")
    run_tool("yosys", [str(yosys), "-q", "core.ys"], work_dir, work_dir / "yosys.log", timeout_s)
    stat = json.loads((work_dir / "stat.json").read_text(encoding="utf-8"))
    return dict(stat["design"]["num_cells_by_type"])


@dataclass(frozen=True)
class AttentionDeployResult:
    out_dir: Path
    report: BuildReport
    core_cells: dict
    manifest: dict


def deploy_attention(
    spec: AttentionSpec | SsmSpec | CpgSpec, out_dir: Path, options: Ice40Options = Ice40Options(), force: bool = False,
) -> AttentionDeployResult | BlockDeployResult:
    """Emit, place and route the layer of `spec`; record the core-only cells beside the build report.

    Any block spec of :func:`~sc_neurocore.transformers.spec.load_spec` is accepted: SSM and CPG
    specs go to :func:`.ssm_deploy.deploy_ssm` and :func:`.cpg_deploy.deploy_cpg`.
    """
    if isinstance(spec, SsmSpec):
        return deploy_ssm(spec, out_dir, options, force)
    if isinstance(spec, CpgSpec):
        return deploy_cpg(spec, out_dir, options, force)
    out_dir = Path(out_dir)
    check_writable(out_dir, force)
    check_attention_fit(spec, options.device, options.package)
    started = time.perf_counter()
    plan = emit_attention(spec)
    emit_seconds = time.perf_counter() - started
    core_cells: dict = {}

    def synthesise_core_alone(partial: Path) -> dict:
        # yosys flattens the layer, so the core's own cost comes from a separate core-only synthesis
        core_dir = partial / CORE_DIR
        write_files(core_dir, {name: plan.files[name] for name in CORE_SOURCES})
        core_cells.update(synthesise_core(core_dir, device=options.device, tools=options.tools,
                                          timeout_s=options.timeout_s))
        return {"attention_core_cells": core_cells}

    final = build_plan(plan, out_dir, options, emit_seconds, before_flow=synthesise_core_alone)
    return AttentionDeployResult(out_dir, final, core_cells, plan.manifest)
