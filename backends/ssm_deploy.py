"""Deploy a spiky state-space spec: fit checks, then the layer's iCE40 build (yosys, nextpnr, icepack).

The weights are the spec's seed model's, or those of a given integer twin (`fixed`, from
:func:`~sc_neurocore.sim.twins.ssm.quantise_ssm` with the model of a NIR file).
"""

from __future__ import annotations

import time
from pathlib import Path

from sc_neurocore.sim.twins.ssm import DECAY_BITS, FixedSsm, quantise_ssm
from sc_neurocore.transformers.spec import SsmSpec

from .build_dir import check_writable
from .deploy import BlockDeployResult, build_plan, check_fold_fit, with_provenance
from .ice40 import DEVICES, Ice40Options
from .ssm_systemverilog import emit_ssm, top_level_io_bits

__all__ = ["ebr_blocks", "ssm_ebr_estimate", "check_ssm_fit", "deploy_ssm"]

BUILD_REPORT = "build_report.json"
# (depth, width) configurations of one 4-kbit iCE40 EBR
_EBR_SHAPES = ((256, 16), (512, 8), (1024, 4), (2048, 2))


def ebr_blocks(depth: int, width: int) -> int:
    """Fewest 4-kbit EBRs that hold a ``depth`` x ``width`` memory."""
    return min(-(-width // w) * -(-depth // d) for d, w in _EBR_SHAPES)


def ssm_ebr_estimate(spec: SsmSpec, v_bits: int | None = None) -> int:
    """Block RAMs of the a, B, C, h and v memories (lane-packed words; x is small enough for logic);
    `v_bits` is the gate membrane's width (default: the seed twin's)."""
    lanes, rows_u, rows_r = spec.lanes, spec.d_state // spec.lanes, spec.d_model // spec.lanes
    v_bits = quantise_ssm(spec).formats.v_bits if v_bits is None else v_bits
    return sum(ebr_blocks(depth, width * lanes) for depth, width in (
        (rows_u, DECAY_BITS), (rows_u * spec.d_model, spec.weight_bits), (rows_r * spec.d_state, spec.weight_bits),
        (rows_u, spec.state_bits), (rows_r, v_bits),
    ))


def _needs(v_bits: int | None):
    def needs(spec: SsmSpec, device: str, pins: int) -> list[str]:
        part = DEVICES[device]
        problems = []
        if top_level_io_bits(spec) > pins:
            problems.append(f"{top_level_io_bits(spec)} IO pins (has {pins})")
        ebr = ssm_ebr_estimate(spec, v_bits)
        if ebr > part.ebr:
            problems.append(f"{ebr} EBR (has {part.ebr})")
        if part.dsp and spec.lanes > part.dsp:
            problems.append(f"{spec.lanes} SB_MAC16 multipliers (has {part.dsp})")
        return problems

    return needs


def check_ssm_fit(spec, device: str = "up5k", package: str | None = None, fixed: FixedSsm | None = None) -> None:
    """FitError, naming what the SSM block needs and which folds would fit, before any tool runs
    (for the formats of `fixed`, default the seed twin's; they do not depend on the fold)."""
    v_bits = None if fixed is None else fixed.formats.v_bits
    check_fold_fit("SSM layer", spec, _needs(v_bits), device, package,
                   "no fold fits: use a smaller d_model or d_state, or fewer weight bits")


def deploy_ssm(spec: SsmSpec, out_dir: Path, options: Ice40Options = Ice40Options(), force: bool = False,
               fixed: FixedSsm | None = None, provenance: dict | None = None) -> BlockDeployResult:
    """Emit, place and route the SSM layer of `spec` into `out_dir`: the weights of `fixed` (default:
    the seed twin); `provenance` goes into the manifest."""
    out_dir = Path(out_dir)
    check_writable(out_dir, force)
    check_ssm_fit(spec, options.device, options.package, fixed)
    started = time.perf_counter()
    plan = with_provenance(emit_ssm(spec, fixed), provenance)
    report = build_plan(plan, out_dir, options, time.perf_counter() - started)
    return BlockDeployResult(out_dir, report, plan.manifest)
