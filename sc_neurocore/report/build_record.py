"""The typed record of one iCE40 build (build_report.json): what the flow returns, `--json` prints and
`report` reads back. Its fields come from machine-readable tool artefacts only (backends/flow/reports.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sc_neurocore.errors import InputError

__all__ = ["BUILD_REPORT", "SCHEMA_VERSION", "ResourceRow", "CriticalPath", "BuildReport", "load_build_report",
           "load_json_object"]

BUILD_REPORT = "build_report.json"
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

    @property
    def slowest_fmax_mhz(self) -> float | None:
        """The lowest achieved Fmax over the clocks (the core has one clock); None without timing."""
        return min((achieved for achieved, _ in self.fmax_mhz.values()), default=None)

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


def load_json_object(path: Path, what: str) -> dict[str, Any]:
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
    data = load_json_object(path, "build report")
    try:
        return BuildReport.from_dict(data)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from exc
