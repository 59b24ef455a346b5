"""Build reports from machine-readable tool artefacts only: yosys `stat -json`, nextpnr `--report`.

The parsers turn those files into frozen dataclasses; `BuildReport` is what the flow returns and what
`--json` prints (`to_dict`, with a `schema_version`), and it reads back with `from_dict`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sc_neurocore.errors import InputError

__all__ = [
    "SCHEMA_VERSION",
    "ResourceRow",
    "CriticalPath",
    "YosysStat",
    "NextpnrReport",
    "BuildReport",
    "load_build_report",
    "parse_yosys_stat",
    "parse_nextpnr_report",
    "resource_rows",
    "nextpnr_fit_shortfalls",
]

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class ResourceRow:
    """One resource: how many the design uses out of how many the device has (None: unknown)."""

    name: str
    used: int
    available: int | None

    @property
    def percent(self) -> float | None:
        if not self.available:
            return None
        return 100.0 * self.used / self.available


@dataclass(frozen=True)
class CriticalPath:
    """The worst path between two clock domains (`<async>` for ports), delays in nanoseconds."""

    from_clock: str
    to_clock: str
    delay_ns: float
    logic_ns: float
    routing_ns: float
    start: str
    end: str


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


@dataclass(frozen=True)
class BuildReport:
    """The outcome of one iCE40 build, with the tools and versions that produced it.

    `fmax_mhz` maps clock -> (achieved, constraint) in MHz; `tools` holds (name, version, path);
    `stage_seconds` holds wall time per stage (yosys, nextpnr-ice40, icepack).
    """

    top: str
    device: str
    package: str
    resources: tuple[ResourceRow, ...]
    fmax_mhz: dict[str, tuple[float, float | None]]
    critical_paths: tuple[CriticalPath, ...]
    tools: tuple[tuple[str, str, str], ...]
    stage_seconds: dict[str, float]
    bitstream: Path | None

    @property
    def timing_met(self) -> bool:
        """True when every clock reaches its constraint (clocks without a constraint count as met)."""
        return all(constraint is None or achieved >= constraint for achieved, constraint in self.fmax_mhz.values())

    def resource(self, name: str) -> ResourceRow:
        for row in self.resources:
            if row.name == name:
                return row
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "top": self.top,
            "device": self.device,
            "package": self.package,
            "resources": [
                {"name": r.name, "used": r.used, "available": r.available, "percent": r.percent}
                for r in self.resources
            ],
            "fmax_mhz": {
                clock: {"achieved": achieved, "constraint": constraint}
                for clock, (achieved, constraint) in self.fmax_mhz.items()
            },
            "critical_paths": [
                {
                    "from_clock": p.from_clock,
                    "to_clock": p.to_clock,
                    "delay_ns": p.delay_ns,
                    "logic_ns": p.logic_ns,
                    "routing_ns": p.routing_ns,
                    "start": p.start,
                    "end": p.end,
                }
                for p in self.critical_paths
            ],
            "tools": [{"name": n, "version": v, "path": p} for n, v, p in self.tools],
            "stage_seconds": dict(self.stage_seconds),
            "bitstream": None if self.bitstream is None else str(self.bitstream),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BuildReport:
        """Read back `to_dict()` output; a wrong schema version or a malformed dict is an InputError."""
        version = data.get("schema_version") if isinstance(data, dict) else None
        if version != SCHEMA_VERSION:
            raise InputError(f"build report has schema_version {version!r}; this version reads {SCHEMA_VERSION}")
        try:
            return cls(
                top=data["top"],
                device=data["device"],
                package=data["package"],
                resources=tuple(ResourceRow(r["name"], r["used"], r["available"]) for r in data["resources"]),
                fmax_mhz={c: (f["achieved"], f["constraint"]) for c, f in data["fmax_mhz"].items()},
                critical_paths=tuple(CriticalPath(**p) for p in data["critical_paths"]),
                tools=tuple((t["name"], t["version"], t["path"]) for t in data["tools"]),
                stage_seconds=dict(data["stage_seconds"]),
                bitstream=None if data["bitstream"] is None else Path(data["bitstream"]),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise InputError(f"malformed build report: {exc!r}") from exc


def _load_json(path: Path, what: str) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{what} not found: {path}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{what} {path} is not readable JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise InputError(f"{what} {path} does not hold a JSON object")
    return data


def load_build_report(path: Path) -> BuildReport:
    """Read a BuildReport saved as `to_dict()` JSON (extra keys are ignored)."""
    data = _load_json(path, "build report")
    try:
        return BuildReport.from_dict(data)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from exc


def parse_yosys_stat(path: Path) -> YosysStat:
    """Parse the output of yosys `tee -o stat.json stat -json` (after synthesis with a top module)."""
    data = _load_json(path, "yosys stat file")
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
    data = _load_json(path, "nextpnr report")
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
