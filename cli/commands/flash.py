"""Write a deploy build's bitstream to a board with iceprog or openFPGALoader."""

import json
import time
from pathlib import Path
from typing import Optional

import typer

from sc_neurocore.backends.board.profiles import BOARDS, BoardProfile, board_profile
from sc_neurocore.backends.build.plan import MANIFEST
from sc_neurocore.backends.flow.toolrun import run_tool
from sc_neurocore.backends.flow.tools import PROGRAMMERS, find_programmer
from sc_neurocore.errors import InputError, ToolError, ToolMissingError, ToolTimeoutError
from sc_neurocore.names import terminal_text
from sc_neurocore.report.build_record import BUILD_REPORT

from .. import options as opt
from ..render import console

FLASH_LOG = "flash.log"
# openFPGALoader's board name for an iCE40 board on an FT2232H (iCEBreaker, HX8K breakout) when no board is known
_GENERIC_OPENFPGALOADER = ("-b", "ice40_generic")
_NOISE = {"ABORT."}  # iceprog's last line after every failure; the line before it says what went wrong


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise InputError(f"{path} cannot be read as JSON ({type(error).__name__}); is this a deploy build?") from None
    if not isinstance(data, dict):
        raise InputError(f"{path} is not a build record (expected a JSON object)")
    return data


def _named_file(build_dir: Path, name: object, where: Path) -> Path:
    if not isinstance(name, str) or not name or Path(name).name != name:
        raise InputError(f"{where} names the bitstream {name!r}, which is not a file name inside {build_dir}")
    return build_dir / name


def find_bitstream(build_dir: Path) -> Path:
    """The bitstream of a deploy build: build_report.json's `bitstream`, else `<top>.bin` of manifest.json,
    else the directory's only *.bin. InputError (one line) when there is none."""
    if not build_dir.is_dir():
        raise InputError(f"{build_dir} is not a directory; give the -o directory of `sc-neurocore deploy`")
    report, manifest = build_dir / BUILD_REPORT, build_dir / MANIFEST
    candidates: list[Path]
    if report.is_file():
        candidates = [_named_file(build_dir, _read_json(report).get("bitstream"), report)]
    elif manifest.is_file() and isinstance(top := _read_json(manifest).get("top"), str):
        candidates = [_named_file(build_dir, f"{top}.bin", manifest)]
    else:
        candidates = sorted(build_dir.glob("*.bin"))
    found = [path for path in candidates if path.is_file()]
    if not found:
        raise InputError(f"no bitstream in {build_dir} (`sc-neurocore compile` writes sources only); build one "
                         f"with `sc-neurocore deploy MODEL --board NAME -o {build_dir}`")
    if len(found) > 1:
        raise InputError(f"{build_dir} holds {len(found)} bitstreams ({', '.join(p.name for p in found)}); "
                         "give the build directory of one deploy")
    if found[0].stat().st_size == 0:
        raise InputError(f"the bitstream {found[0]} is empty; deploy again")
    return found[0]


def _build_board(build_dir: Path) -> tuple[str | None, str | None]:
    """The board name and device the build records (manifest provenance or build report), where present."""
    board = device = None
    manifest = build_dir / MANIFEST
    if manifest.is_file():
        provenance = _read_json(manifest).get("provenance")
        options = provenance.get("options") if isinstance(provenance, dict) else None
        if isinstance(options, dict):
            recorded = options.get("board")
            board = recorded.get("name") if isinstance(recorded, dict) else recorded
            device = options.get("device")
    report = build_dir / BUILD_REPORT
    if report.is_file():
        device = _read_json(report).get("device", device)
    return (board if isinstance(board, str) else None), (device if isinstance(device, str) else None)


def _profile(build_dir: Path, board: Optional[str]) -> BoardProfile | None:
    recorded, device = _build_board(build_dir)
    if board is None:
        return BOARDS.get(recorded) if isinstance(recorded, str) else None
    profile = board_profile(board)
    if device is not None and device != profile.device:
        raise InputError(f"the build in {build_dir} is for {device} but --board {board} has a {profile.device}; "
                         "flash it to a board with that part or deploy again with this --board")
    return profile


def programmer_arguments(tool: str, profile: BoardProfile | None) -> tuple[str, ...]:
    """The options before the bitstream: none for iceprog (it finds the FT2232H or FT232H itself), the
    board's openFPGALoader board (and cable) names."""
    if tool == "iceprog":
        return profile.iceprog_args if profile else ()
    return profile.openfpgaloader_args if profile else _GENERIC_OPENFPGALOADER


def _last_message(lines: tuple[str, ...] | list[str]) -> str:
    meaningful = [line.strip() for line in lines if line.strip() and line.strip() not in _NOISE]
    return meaningful[-1] if meaningful else "(it printed nothing)"


def _run(tool: str, argv: list[str], build_dir: Path, timeout: float) -> float:
    log = build_dir / FLASH_LOG
    started = time.perf_counter()
    try:
        with console().status(f"{tool}: writing the bitstream ..."):
            run_tool(tool, argv, build_dir, log, timeout)
    except ToolMissingError:
        raise
    except ToolTimeoutError as error:
        raise ToolError(f"{tool} ran past --timeout {timeout:g} s and was stopped; its last message: "
                        f"{_last_message(getattr(error, 'log_tail', ()))!r} (log: {log})") from None
    except ToolError as error:
        summary = str(error).splitlines()[0]
        raise ToolError(f"{summary}: {_last_message(getattr(error, 'log_tail', ()))!r} (log: {log})") from None
    return time.perf_counter() - started


def _say(text: str) -> None:
    console().print(terminal_text(text), markup=False, soft_wrap=True)


def command(
    build_dir: Path = typer.Argument(..., help="The -o directory of a deploy (holds the .bin bitstream)."),
    board: Optional[str] = typer.Option(None, "--board", help="icebreaker, upduino-v3 or ice40-hx8k-breakout "
                                        "(default: the board the build was deployed for)."),
    tool: Optional[str] = typer.Option(None, "--tool", help="iceprog or openFPGALoader (default: the board's "
                                       "programmer, else whichever is found)."),
    tools: Optional[Path] = typer.Option(None, "--tools", help="Directory holding the programmer (searched after "
                                         "SC_NEUROCORE_ICEPROG / SC_NEUROCORE_OPENFPGALOADER, before PATH)."),
    timeout: float = typer.Option(300.0, "--timeout", help="Seconds the programmer may take."),
    json_out: bool = opt.JSON,
) -> None:
    if tool is not None and tool not in PROGRAMMERS:
        raise InputError(f"unknown programmer {tool!r}; choose one of {', '.join(PROGRAMMERS)}")
    if not 0 < timeout < float("inf"):
        raise InputError(f"--timeout must be positive, got {timeout}")
    bitstream = find_bitstream(build_dir)
    profile = _profile(build_dir, board)
    programmer = find_programmer(tool, tools, preferred=profile.programmer if profile else "iceprog")
    argv = [str(programmer.path), *programmer_arguments(programmer.name, profile), bitstream.name]
    where = profile.title if profile else "the connected iCE40 board"
    if not json_out:
        _say(f"flashing {bitstream} ({bitstream.stat().st_size:,} bytes) to {where} with {programmer.name} "
             f"({programmer.path})")
    seconds = _run(programmer.name, argv, build_dir.resolve(), timeout)
    if json_out:
        typer.echo(json.dumps({"bitstream": str(bitstream), "board": profile.name if profile else None,
                               "tool": programmer.name, "argv": argv, "seconds": round(seconds, 3),
                               "log": str(build_dir / FLASH_LOG)}, indent=2))
    else:
        _say(f"done in {seconds:.1f} s (log: {build_dir / FLASH_LOG})")
