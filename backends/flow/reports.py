"""Build reports from machine-readable tool artefacts only: yosys `stat -json`, nextpnr `--report`.

The parsers turn those files into frozen dataclasses, from which the flow makes the typed build record
(`sc_neurocore.report.build_record.BuildReport`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sc_neurocore.errors import InputError
from sc_neurocore.report.build_record import CriticalPath, ResourceRow, load_json_object

__all__ = [
    "YosysStat",
    "NextpnrReport",
    "parse_yosys_stat",
    "parse_nextpnr_report",
    "resource_rows",
    "nextpnr_fit_shortfalls",
]

@dataclass(frozen=True)
class YosysStat:
    """Cell counts of the synthesised design (`design` section of `stat -json`)."""

    cells_by_type: dict[str, int]
    num_cells: int
    num_port_bits: int | None

    def count(self, prefix: str) -> int:
        """Cells whose type starts with `prefix` (e.g. all SB_DFF* flip-flop variants)."""
        return sum(n for cell, n in self.cells_by_type.items() if cell.startswith(prefix))


@dataclass(frozen=True)
class NextpnrReport:
    """nextpnr-ice40 `--report` JSON: utilisation per BEL type, Fmax per clock, critical paths."""

    utilization: dict[str, tuple[int, int]]
    fmax_mhz: dict[str, tuple[float, float | None]]
    critical_paths: tuple[CriticalPath, ...]


def parse_yosys_stat(path: Path) -> YosysStat:
    """Parse the output of yosys `tee -o stat.json stat -json` (after synthesis with a top module)."""
    data = load_json_object(path, "yosys stat file")
    design = data.get("design")
    modules = data.get("modules")
    if design is None and isinstance(modules, dict) and len(modules) == 1:
        design = next(iter(modules.values()))
    try:
        cells = {str(cell): int(n) for cell, n in design["num_cells_by_type"].items()}
        num_cells = int(design.get("num_cells", sum(cells.values())))
        port_bits = design.get("num_port_bits")
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise InputError(f"yosys stat file {path} has no usable design.num_cells_by_type") from exc
    return YosysStat(cells, num_cells, None if port_bits is None else int(port_bits))


def _clock_names(raw_names: list[str]) -> dict[str, str]:
    # nextpnr names clocks after the net ("clk$SB_IO_IN_$glb_clk"); show the user's name ("clk")
    # unless two clocks would then look the same.
    short = {raw: raw.split("$", 1)[0] or raw for raw in raw_names}
    if len(set(short.values())) != len(short):
        return {raw: raw for raw in raw_names}
    return short


def _domain(edge_and_clock: str, names: dict[str, str]) -> str:
    edge, _, clock = edge_and_clock.partition(" ")
    if not clock:
        return edge_and_clock
    return f"{edge} {names.get(clock, clock.split('$', 1)[0] or clock)}"


def _endpoint(point: dict[str, Any]) -> str:
    return f"{point['cell']}.{point['port']}"


def _critical_path(entry: dict[str, Any], names: dict[str, str]) -> CriticalPath:
    steps = entry["path"]
    delay = sum(float(step["delay"]) for step in steps)
    routing = sum(float(step["delay"]) for step in steps if step.get("type") == "routing")
    return CriticalPath(
        from_clock=_domain(entry["from"], names),
        to_clock=_domain(entry["to"], names),
        delay_ns=delay,
        logic_ns=delay - routing,
        routing_ns=routing,
        start=_endpoint(steps[0]["from"]) if steps else "",
        end=_endpoint(steps[-1]["to"]) if steps else "",
    )


def parse_nextpnr_report(path: Path) -> NextpnrReport:
    """Parse a nextpnr-ice40 `--report` JSON file."""
    data = load_json_object(path, "nextpnr report")
    try:
        utilization = {
            bel: (int(counts["used"]), int(counts["available"])) for bel, counts in data["utilization"].items()
        }
        fmax_raw = data.get("fmax", {})
        names = _clock_names(list(fmax_raw))
        fmax = {
            names[clock]: (float(f["achieved"]), None if f.get("constraint") is None else float(f["constraint"]))
            for clock, f in fmax_raw.items()
        }
        paths = tuple(_critical_path(entry, names) for entry in data.get("critical_paths", []))
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise InputError(f"nextpnr report {path} is malformed: {exc!r}") from exc
    return NextpnrReport(utilization, fmax, paths)


def resource_rows(stat: YosysStat, pnr: NextpnrReport) -> tuple[ResourceRow, ...]:
    """The resource table: placed BELs from nextpnr, LUT/carry/FF split from yosys.

    LUT4s, carries and flip-flops share the logic cells, so each is measured against their number.
    SPRAM and DSP rows appear only on devices that have them (or when the design asks for them).
    """
    lc_used, lc_available = pnr.utilization.get("ICESTORM_LC", (0, 0))

    def placed(bel: str) -> tuple[int, int]:
        return pnr.utilization.get(bel, (0, 0))

    rows = [
        ResourceRow("logic cells", lc_used, lc_available),
        ResourceRow("LUT4", stat.count("SB_LUT4"), lc_available),
        ResourceRow("carries", stat.count("SB_CARRY"), lc_available),
        ResourceRow("flip-flops", stat.count("SB_DFF"), lc_available),
        ResourceRow("EBR", *placed("ICESTORM_RAM")),
    ]
    for name, bel in (("SPRAM", "ICESTORM_SPRAM"), ("DSP", "ICESTORM_DSP")):
        used, available = placed(bel)
        if used or available:
            rows.append(ResourceRow(name, used, available))
    rows.append(ResourceRow("IO", *placed("SB_IO")))
    return tuple(rows)


_UTILISATION_LINE = re.compile(r"^Info:\s+(\w+):\s+(\d+)/\s*(\d+)\s+\d+%", re.MULTILINE)
_NO_BELS_LEFT = re.compile(r"Unable to place cell '[^']*', no BELs remaining to implement cell type '(\w+)'")
_BEL_NAMES = {
    "ICESTORM_LC": "logic cells",
    "ICESTORM_RAM": "EBR blocks",
    "ICESTORM_SPRAM": "SPRAM blocks",
    "ICESTORM_DSP": "DSP blocks",
    "SB_IO": "IO pins",
    "SB_GB": "global buffers",
}


def nextpnr_fit_shortfalls(log_text: str) -> tuple[str, ...]:
    """What a failed nextpnr-ice40 run needed but the device lacks, read from its log (empty: none).

    The log is the only source here: nextpnr writes no report when placement fails.
    """
    over = [
        (bel, int(used), int(available))
        for bel, used, available in _UTILISATION_LINE.findall(log_text)
        if int(used) > int(available)
    ]
    shortfalls = [f"{used} {_BEL_NAMES.get(bel, bel)} but the device has {available}" for bel, used, available in over]
    reported = {bel for bel, _, _ in over}
    shortfalls += [
        f"more {_BEL_NAMES.get(bel, bel)} than the device has"
        for bel in sorted(set(_NO_BELS_LEFT.findall(log_text)) - reported)
    ]
    return tuple(shortfalls)
