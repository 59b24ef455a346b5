"""Synthesis-only runs (yosys alone, no place and route), on the same script the iCE40 flow uses."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from sc_neurocore.backends.flow.icestorm import STAT_JSON, synth_command, yosys_script
from sc_neurocore.backends.flow.toolrun import run_tool
from sc_neurocore.backends.flow.tools import find_toolchain

__all__ = ["synthesise", "synthesise_modules", "synthesise_netlist"]

_MODULES_JSON = "modules.json"


def _run_yosys(work_dir: Path, script_name: str, script: str, tools: str, timeout_s: float) -> None:
    yosys = find_toolchain(tools, timeout_s=timeout_s).yosys.path
    (work_dir / script_name).write_text(script, encoding="utf-8")
    run_tool("yosys", [str(yosys), "-q", script_name], work_dir, work_dir / "yosys.log", timeout_s)


def synthesise(work_dir: Path, top: str, sources, device: str = "up5k", tools: str = "auto",
               timeout_s: float = 600) -> dict:
    """yosys alone on `top` (sources already written in `work_dir`), flattened: its cells by type."""
    _run_yosys(work_dir, "core.ys", yosys_script(top, sources, device), tools, timeout_s)
    stat = json.loads((work_dir / STAT_JSON).read_text(encoding="utf-8"))
    return dict(stat["design"]["num_cells_by_type"])


def synthesise_netlist(work_dir: Path, top: str, sources, netlist: str, device: str = "up5k", tools: str = "auto",
                       timeout_s: float = 600) -> None:
    """yosys alone on `top`, flattened as for place and route, written as a Verilog netlist `netlist` of
    iCE40 cells (for a gate-level co-simulation)."""
    reads = yosys_script(top, sources, device).splitlines()[: len(sources)]
    script = "\n".join([*reads, synth_command(top, device), f"write_verilog -noattr {netlist}"])
    _run_yosys(work_dir, "netlist.ys", script + "\n", tools, timeout_s)


def synthesise_modules(work_dir: Path, top: str, sources, device: str = "up5k", tools: str = "auto",
                       timeout_s: float = 600, inline: Sequence[str] = ()) -> dict[str, dict]:
    """yosys on `top` with its module hierarchy kept: each module's own cells by type (submodule
    instances left out), keyed by hdl module name. The modules `inline` are flattened into the modules that
    instantiate them (their cells counted there, synthesised as one with them)."""
    reads = yosys_script(top, sources, device).splitlines()[: len(sources)]
    if inline:
        keep = [f"hierarchy -top {top}", "setattr -mod -set keep_hierarchy 1 *",
                *(f"setattr -mod -unset keep_hierarchy A:hdlname={module} %m" for module in inline),
                synth_command(top, device)]
    else:
        keep = [synth_command(top, device, "-noflatten")]
    script = "\n".join([*reads, *keep, f"tee -q -o {_MODULES_JSON} stat -json"])
    _run_yosys(work_dir, "modules.ys", script + "\n", tools, timeout_s)
    modules = json.loads((work_dir / _MODULES_JSON).read_text(encoding="utf-8"))["modules"]
    cells = {}
    for name, stat in modules.items():
        module = name.rsplit("\\", 1)[-1]  # "$paramod$<hash>\attn_core" -> "attn_core"
        cells[module] = {cell: count for cell, count in stat["num_cells_by_type"].items() if cell.startswith("SB_")}
    return cells
