"""Deploy a spiky state-space spec: fit checks, then the layer's iCE40 build (yosys, nextpnr, icepack)."""

from __future__ import annotations

import time
from pathlib import Path

from sc_neurocore.transformers.fixed_ssm import DECAY_BITS, quantise_ssm
from sc_neurocore.transformers.spec import SsmSpec

from .build_dir import check_writable
from .deploy import BlockDeployResult, build_plan, check_fold_fit
from .ice40 import DEVICES, Ice40Options
from .ssm_systemverilog import emit_ssm, top_level_io_bits

__all__ = ["ebr_blocks", "ssm_ebr_estimate", "check_ssm_fit", "deploy_ssm"]

BUILD_REPORT = "build_report.json"
# (depth, width) configurations of one 4-kbit iCE40 EBR
_EBR_SHAPES = ((256, 16), (512, 8), (1024, 4), (2048, 2))


def ebr_blocks(depth: int, width: int) -> int:
    """Fewest 4-kbit EBRs that hold a ``depth`` x ``width`` memory."""
    return min(-(-width // w) * -(-depth // d) for d, w in _EBR_SHAPES)


def ssm_ebr_estimate(spec: SsmSpec) -> int:
    """Block RAMs of the a, B, C, h and v memories (lane-packed words; x is small enough for logic)."""
    lanes, rows_u, rows_r = spec.lanes, spec.d_state // spec.lanes, spec.d_model // spec.lanes
    v_bits = quantise_ssm(spec).formats.v_bits
    return sum(ebr_blocks(depth, width * lanes) for depth, width in (
        (rows_u, DECAY_BITS), (rows_u * spec.d_model, spec.weight_bits), (rows_r * spec.d_state, spec.weight_bits),
        (rows_u, spec.state_bits), (rows_r, v_bits),
    ))


def _needs(spec: SsmSpec, device: str, pins: int) -> list[str]:
    part = DEVICES[device]
    problems = []
    if top_level_io_bits(spec) > pins:
        problems.append(f"{top_level_io_bits(spec)} IO pins (has {pins})")
    if ssm_ebr_estimate(spec) > part.ebr:
        problems.append(f"{ssm_ebr_estimate(spec)} EBR (has {part.ebr})")
    if part.dsp and spec.lanes > part.dsp:
        problems.append(f"{spec.lanes} SB_MAC16 multipliers (has {part.dsp})")
    return problems


def check_ssm_fit(spec, device: str = "up5k", package: str | None = None) -> None:
    """FitError, naming what the SSM block needs and which folds would fit, before any tool runs."""
    check_fold_fit("SSM layer", spec, _needs, device, package, "no fold fits: use a smaller d_model or d_state, or fewer weight bits")


def deploy_ssm(spec: SsmSpec, out_dir: Path, options: Ice40Options = Ice40Options(), force: bool = False) -> BlockDeployResult:
    """Emit, place and route the SSM layer of `spec` (weights from its seed) into `out_dir`."""
    out_dir = Path(out_dir)
    check_writable(out_dir, force)
    check_ssm_fit(spec, options.device, options.package)
    started = time.perf_counter()
    plan = emit_ssm(spec)
    report = build_plan(plan, out_dir, options, time.perf_counter() - started)
    return BlockDeployResult(out_dir, report, plan.manifest)
