"""Co-simulation of the CPG encoder: Icarus runs the emitted testbench, the fixed twin predicts it."""

from __future__ import annotations

from pathlib import Path

from sc_neurocore.sim.twins.cpg import run_fixed_cpg
from sc_neurocore.transformers.spec import CpgSpec

from .build_dir import write_files
from .cosim import CosimResult, run_icarus
from .cpg_systemverilog import CPG_SOURCES, emit_cpg

__all__ = ["expected_cpg_trace", "cosimulate_cpg"]


def expected_cpg_trace(spec: CpgSpec) -> list[str]:
    """Every phase and its two spikes, in the testbench's order and format."""
    phases, spikes = run_fixed_cpg(spec)
    return [f"P {p} {i} {int(phases[p, i])} {int(spikes[p, 2 * i])} {int(spikes[p, 2 * i + 1])}"
            for p in range(spec.positions) for i in range(spec.d_model // 2)]


def cosimulate_cpg(spec: CpgSpec, work_dir: Path) -> CosimResult:
    work_dir = Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    write_files(work_dir, emit_cpg(spec).files)
    rtl, cycles = run_icarus(work_dir, sources=CPG_SOURCES)
    return CosimResult(tuple(rtl), tuple(expected_cpg_trace(spec)), cycles)
