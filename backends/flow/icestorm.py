"""The iCE40 build: yosys -> nextpnr-ice40 -> icepack through edalize's Icestorm flow.

edalize writes the Makefile; we run `make` through `run_tool` (rather than `Icestorm.build()`, which
prints to stdout and has neither a log nor a time limit), with our launcher as EDALIZE_LAUNCHER.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from edalize.flows.icestorm import Icestorm

from sc_neurocore.errors import FitError, InputError, ToolError, ToolMissingError, ToolTimeoutError
from sc_neurocore.backends.device import DEVICES, check_package_pins
from sc_neurocore.backends.device import device as part
from sc_neurocore.backends.flow.launcher import STAGE_LOGS, launcher_environment, read_stage_records
from sc_neurocore.backends.flow.reports import (
    nextpnr_fit_shortfalls,
    parse_nextpnr_report,
    parse_yosys_stat,
    resource_rows,
)
from sc_neurocore.backends.flow.toolrun import run_tool, tool_error
from sc_neurocore.backends.flow.tools import TOOL_SELECTIONS, find_toolchain
from sc_neurocore.report.build_record import BuildReport
from sc_neurocore.backends.flow.pcf import check_pcf

__all__ = [
    "Ice40Options",
    "synth_command",
    "yosys_script",
    "run_ice40_flow",
]

YOSYS_SCRIPT = "synth.ys"
STAT_JSON = "stat.json"
NEXTPNR_REPORT = "report.json"
STAGE_RECORDS = "stages.jsonl"
_STAGES = ("yosys", "nextpnr-ice40", "icepack")
_SOURCE_TYPES = {".sv": "systemVerilogSource", ".v": "verilogSource"}


@dataclass(frozen=True)
class Ice40Options:
    """Options of one build. `package` defaults per device (up5k: sg48, hx8k: ct256, hx1k: vq100)."""

    device: str = "up5k"
    package: str | None = None
    freq_mhz: float = 12.0
    seed: int = 1
    pcf: Path | None = None
    timeout_s: float = 900.0
    tools: str = "auto"

    def __post_init__(self) -> None:
        device = part(self.device)
        if self.package is None:
            object.__setattr__(self, "package", device.default_package)
        elif self.package not in device.packages:
            raise InputError(
                f"package {self.package!r} does not exist for {self.device}; choose one of {', '.join(device.packages)}"
            )
        if not 0 < self.freq_mhz < float("inf"):
            raise InputError(f"freq_mhz must be positive and finite, got {self.freq_mhz}")
        if self.pcf is not None:
            check_pcf(self.pcf)
        if not 0 < self.timeout_s < float("inf"):
            raise InputError(f"timeout_s must be positive, got {self.timeout_s}")
        if self.tools not in TOOL_SELECTIONS:
            raise InputError(f"unknown tool selection {self.tools!r}; choose one of {', '.join(TOOL_SELECTIONS)}")


def _synth_options(device: str) -> list[str]:
    # Map multipliers onto SB_MAC16 where the device has them.
    return ["-dsp"] if DEVICES[device].dsp else []


def synth_command(top: str, device: str, *extra: str) -> str:
    """The synth_ice40 line of every yosys run (`extra`: -noflatten for per-module costs)."""
    return " ".join(["synth_ice40", *_synth_options(device), *extra, "-top", top])


def yosys_script(top: str, sources: Sequence[str], device: str) -> str:
    """The plain yosys script both tool flavours run: read, synthesise, write stat JSON and netlist."""
    lines = []
    for source in sources:
        read = "read_verilog -sv" if Path(source).suffix == ".sv" else "read_verilog"
        lines.append(f"{read} {source}")
    lines += [
        synth_command(top, device),
        f"tee -q -o {STAT_JSON} stat -json",
        f"write_json {top}.json",
    ]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class _BuildInputs:
    top: str
    sources: tuple[str, ...]
    memory_files: tuple[str, ...]
    pcf: str | None


def _check_inputs(work_dir: Path, top: str, sources: Sequence[str], memory_files: Sequence[str]) -> None:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_$]*", top):
        raise InputError(f"top module name {top!r} is not a Verilog identifier")
    if not sources:
        raise InputError("no source files given for the iCE40 build")
    for name in (*sources, *memory_files):
        if Path(name).is_absolute() or " " in name:
            raise InputError(f"{name}: build files must be relative to {work_dir} and free of spaces")
        if not (work_dir / name).is_file():
            raise InputError(f"{work_dir / name} does not exist; write the design files before building")
    for name in sources:
        if Path(name).suffix not in _SOURCE_TYPES:
            raise InputError(f"{name}: expected a .sv or .v source file")


def _edam(inputs: _BuildInputs, options: Ice40Options) -> dict:
    files = [{"name": name, "file_type": _SOURCE_TYPES[Path(name).suffix]} for name in inputs.sources]
    files += [{"name": name, "file_type": "user"} for name in inputs.memory_files]
    if inputs.pcf:
        files.append({"name": inputs.pcf, "file_type": "PCF"})
    nextpnr_options = [
        f"--{options.device}",
        "--package", options.package,
        "--seed", str(options.seed),
        "--freq", f"{options.freq_mhz:g}",
        "--report", NEXTPNR_REPORT,
        # A missed clock constraint is a result to report (achieved vs constraint), not a failure.
        "--timing-allow-fail",
    ]
    return {
        "name": inputs.top,
        "toplevel": inputs.top,
        "files": files,
        "flow_options": {"nextpnr_options": nextpnr_options, "yosys_synth_options": _synth_options(options.device)},
    }


class _FreshIcestorm(Icestorm):
    # edalize 0.6.8 merges tool options into the class-level `_flow` dict, so a second flow in the
    # same process would inherit the first one's nextpnr options; give each flow its own copy.
    def __init__(self, edam: dict, work_root: Path) -> None:
        self._flow = copy.deepcopy(Icestorm._flow)
        super().__init__(edam, work_root)


def _configure(work_dir: Path, edam: dict) -> list[str]:
    """Write edalize's Makefile (and Tcl, unused by our launcher); return the make arguments."""
    try:
        flow = _FreshIcestorm(edam, work_root=work_dir)
        flow.configure()
    except RuntimeError as exc:
        raise ToolError(f"edalize could not configure the Icestorm flow in {work_dir}: {exc}") from exc
    return [*flow.build_runner.build_options, flow.goal]


def _fit_error(work_dir: Path, options: Ice40Options) -> FitError | None:
    """After a failed nextpnr run: a FitError when the design is too large for the part, else None."""
    # Too many ports first: nextpnr then only says it cannot place some IO cell.
    port_bits = parse_yosys_stat(work_dir / STAT_JSON).num_port_bits
    if port_bits is not None:
        try:
            check_package_pins(port_bits, options.device, options.package)
        except FitError as exc:
            return exc
    log_path = work_dir / STAGE_LOGS["nextpnr-ice40"]
    shortfalls = nextpnr_fit_shortfalls(log_path.read_text(encoding="utf-8", errors="replace"))
    if not shortfalls:
        return None
    return FitError(
        f"the design does not fit {options.device}-{options.package}: it needs {'; '.join(shortfalls)} "
        f"(log: {log_path}); fold layers onto fewer lanes or choose a larger device"
    )


def _stage_failure(work_dir: Path, options: Ice40Options, make_error: ToolError) -> Exception:
    """Turn a failed `make` into the error of the stage that failed (or the stage running at a timeout)."""
    records = read_stage_records(work_dir / STAGE_RECORDS)
    if isinstance(make_error, ToolTimeoutError):
        finished = {record["tool"] for record in records}
        running = next((stage for stage in _STAGES if stage not in finished), None)
        if running is None:
            return make_error
        return tool_error(
            ToolTimeoutError,
            running,
            f"{running} was stopped: the iCE40 build ran past its time limit of {options.timeout_s:g} s",
            work_dir / STAGE_LOGS[running],
        )
    failed = next((str(record["tool"]) for record in records if record["status"] != "ok"), None)
    if failed is None:
        return make_error
    if failed == "nextpnr-ice40":
        fit = _fit_error(work_dir, options)
        if fit is not None:
            return fit
    return tool_error(ToolError, failed, f"{failed} failed during the iCE40 build", work_dir / STAGE_LOGS[failed])


def _stage_seconds(work_dir: Path) -> dict[str, float]:
    return {str(r["tool"]): float(r["seconds"]) for r in read_stage_records(work_dir / STAGE_RECORDS)}


def run_ice40_flow(
    work_dir: Path,
    top: str,
    sources: Sequence[str],
    options: Ice40Options = Ice40Options(),
    memory_files: Sequence[str] = (),
) -> BuildReport:
    """Synthesise, place, route and pack `top` for an iCE40; return the parsed build report.

    `sources` (.sv/.v) and `memory_files` (images read by $readmemh) are paths relative to `work_dir`,
    already written there. The build writes into `work_dir`: `<top>.bin`, the netlist `<top>.json`,
    `stat.json`, `report.json`, one log per stage and `make.log`. Raises InputError for bad inputs,
    FitError when the design does not fit, ToolMissingError / ToolError / ToolTimeoutError for tools.
    """
    work_dir = Path(work_dir).resolve()
    _check_inputs(work_dir, top, sources, memory_files)
    toolchain = find_toolchain(options.tools, timeout_s=options.timeout_s)
    make = shutil.which("make")
    if make is None:
        raise ToolMissingError("GNU make not found on PATH (edalize runs the flow with it); apt-get install make")

    pcf_name = None
    if options.pcf is not None:
        pcf = Path(options.pcf)
        if not pcf.is_file():
            raise InputError(f"PCF file {pcf} does not exist")
        # YoWASP nextpnr cannot open absolute paths, so the constraints travel into the build directory.
        pcf_name = f"{top}.pcf"
        if pcf.resolve() != (work_dir / pcf_name).resolve():
            shutil.copyfile(pcf, work_dir / pcf_name)
    inputs = _BuildInputs(top, tuple(sources), tuple(memory_files), pcf_name)

    (work_dir / YOSYS_SCRIPT).write_text(yosys_script(top, inputs.sources, options.device), encoding="utf-8")
    (work_dir / STAGE_RECORDS).unlink(missing_ok=True)
    make_arguments = _configure(work_dir, _edam(inputs, options))
    executables = {tool.name: tool.path for tool in toolchain.tools}
    env = {**os.environ, **launcher_environment(executables, YOSYS_SCRIPT, STAGE_RECORDS)}
    try:
        # -B: rebuild every stage, so no output from an earlier build is mistaken for this one's.
        run_tool("make", [make, "-B", *make_arguments], work_dir, work_dir / "make.log", options.timeout_s, env)
    except ToolMissingError:
        raise
    except ToolError as exc:
        raise _stage_failure(work_dir, options, exc) from exc

    pnr = parse_nextpnr_report(work_dir / NEXTPNR_REPORT)
    return BuildReport(
        top=top,
        device=options.device,
        package=options.package,
        resources=resource_rows(parse_yosys_stat(work_dir / STAT_JSON), pnr),
        fmax_mhz=pnr.fmax_mhz,
        critical_paths=pnr.critical_paths,
        tools=toolchain.as_records(),
        stage_seconds=_stage_seconds(work_dir),
        bitstream=work_dir / f"{top}.bin",
    )
