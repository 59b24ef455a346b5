"""Co-simulation of the SSM layer: Icarus runs the emitted testbench, the fixed twin predicts it."""

from __future__ import annotations

from pathlib import Path

from sc_neurocore.sim.twins.ssm import FixedSsm, SsmRun, quantise_ssm, run_fixed_ssm
from sc_neurocore.transformers.spec import SsmSpec

from .build_dir import write_files
from .cosim import CosimResult, run_icarus
from .ssm_systemverilog import SSM_SOURCES, emit_ssm

__all__ = ["expected_ssm_trace", "cosimulate_ssm"]


def expected_ssm_trace(run: SsmRun) -> list[str]:
    """Every state and gate update of the fixed twin, in the testbench's order and format."""
    lines = []
    for t in range(run.h.shape[0]):
        lines += [f"H {t} {n} {int(h)}" for n, h in enumerate(run.h[t])]
        lines += [f"V {t} {m} {int(v)} {int(s)}" for m, (v, s) in enumerate(zip(run.v[t], run.spikes[t]))]
    return lines


def cosimulate_ssm(spec: SsmSpec, work_dir: Path, fixed: FixedSsm | None = None) -> CosimResult:
    """Emit `spec`'s layer for `fixed` (default: its seed twin), run Icarus, compare."""
    fixed = quantise_ssm(spec) if fixed is None else fixed
    work_dir = Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    write_files(work_dir, emit_ssm(spec, fixed).files)
    rtl, cycles = run_icarus(work_dir, sources=SSM_SOURCES)
    return CosimResult(tuple(rtl), tuple(expected_ssm_trace(run_fixed_ssm(fixed))), cycles)
