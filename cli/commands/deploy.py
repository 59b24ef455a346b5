"""Build a NIR model or a transformer-block .yaml spec for an FPGA: bit-true SystemVerilog, yosys, nextpnr, icepack."""

import json
from dataclasses import replace
from pathlib import Path
from typing import Optional

import typer

from sc_neurocore.backends.board.pll import DEFAULT_BAUD, choose_core_clock, core_clock_limit
from sc_neurocore.backends.board.profiles import BOARDS, BoardTarget, board_profile, board_target
from sc_neurocore.backends.build.provenance import provenance
from sc_neurocore.backends.deploy import deploy_core
from sc_neurocore.backends.flow.icestorm import Ice40Options
from sc_neurocore.errors import InputError

from .. import options as opt
from ..checks import check_options
from ..model_core import MODEL_OR_SPEC, model_core
from ..render import console, render_deploy

TARGETS = ("ice40",)
AUTO = "auto"
AUTO_CEILING_MHZ = 100.0  # --freq auto never asks the PLL for more (the fabric's flip-flops top out near it)


def _frequency(freq: str) -> float | None:
    """--freq in MHz, None for auto (checked like every other option)."""
    if freq.strip().lower() == AUTO:
        return None
    try:
        value = float(freq)
    except ValueError:
        raise InputError(f"--freq must be a number of MHz or auto, got {freq!r}") from None
    check_options(freq=value)
    return value


def _faster(board_build: BoardTarget, fmax: float | None) -> BoardTarget | None:
    """--freq auto, after a first placement at the oscillator: the fastest core clock the placed core
    meets with the margin, when it beats the oscillator (else None)."""
    if fmax is None:
        return None
    profile = board_build.profile
    clock = choose_core_clock(profile.osc_mhz, core_clock_limit(fmax, AUTO_CEILING_MHZ), board_build.baud)
    if clock.freq_mhz <= board_build.clock.freq_mhz:
        return None
    reason = (f"{clock.reason} (--freq auto: the first placement at {board_build.clock.freq_mhz:g} MHz reached "
              f"{fmax:.1f} MHz)")
    return replace(board_build, clock=replace(clock, reason=reason))


def _given(ctx: typer.Context, name: str) -> bool:
    """True when the user set option `name` (not left at its default)."""
    source = ctx.get_parameter_source(name)
    return source is not None and source.name != "DEFAULT"


def _board(ctx: typer.Context, board: Optional[str], device: str, package: Optional[str], freq: float, baud: int,
           pcf: Optional[Path], clock_pin: Optional[str], uart_pins: Optional[str]) -> Optional[BoardTarget]:
    """The board target of `--board` (or of a custom board's --clock-pin/--uart-pins), None without one;
    the core clock is the fastest at most --freq that --baud divides exactly."""
    if board is None and clock_pin is None and uart_pins is None:
        if _given(ctx, "baud"):
            raise InputError("--baud sets the UART of a board build; add --board NAME (or --clock-pin and --uart-pins)")
        return None
    if board is not None:
        profile = board_profile(board)
        for flag, value, wanted in (("--device", device, profile.device), ("--package", package, profile.package)):
            if _given(ctx, flag[2:]) and value != wanted:
                raise InputError(f"--board {board} is {profile.device}-{profile.package}; {flag} {value} conflicts "
                                 f"with it (drop {flag})")
    return board_target(board, device, package, max_mhz=freq, baud=baud, pcf=pcf, clock_pin=clock_pin,
                        uart_pins=uart_pins)


@opt.with_options("core", opt.core_options())
def command(
    ctx: typer.Context,
    model: Path = MODEL_OR_SPEC,
    target: str = typer.Option("ice40", "--target", help="FPGA family."),
    device: str = typer.Option("up5k", "--device", help="up5k, hx8k or hx1k."),
    package: Optional[str] = typer.Option(None, "--package", help="Package (default per device: sg48, ct256, vq100)."),
    freq: str = typer.Option("12", "--freq", help="Clock constraint in MHz. With --board: the highest core clock "
                             "allowed, or auto: the fastest the placed core meets with a 15 % margin (places twice)."),
    seed: int = typer.Option(1, "--seed", help="Placement seed of nextpnr."),
    pcf: Optional[Path] = typer.Option(None, "--pcf", help="Pin constraints; without it nextpnr places the IOs."),
    board: Optional[str] = typer.Option(None, "--board", help="Build for a board: " + ", ".join(BOARDS) + "."),
    baud: int = typer.Option(DEFAULT_BAUD, "--baud", help="UART rate of a board build; the core clock must be an "
                             "exact multiple of it."),
    clock_pin: Optional[str] = typer.Option(None, "--clock-pin", help="Oscillator pin of a custom board."),
    uart_pins: Optional[str] = typer.Option(None, "--uart-pins", help="RX,TX pins (FPGA side) of a custom board."),
    out: Optional[Path] = typer.Option(None, "-o", "--out", help="Build directory (default: build/<model name>)."),
    timeout: float = typer.Option(900.0, "--timeout", help="Seconds the tool flow may take."),
    tools: str = typer.Option("auto", "--tools", help="auto, yowasp (PyPI builds) or native (on PATH)."),
    core: dict = None,  # --preset .. --input-peak: opt.core_options()
    force: bool = opt.FORCE,
    json_out: bool = opt.JSON,
) -> None:
    freq_mhz = _frequency(freq)
    auto = freq_mhz is None
    check_options(timeout=timeout, seed=seed,
                  **{name: core[name] for name in ("dt", "weight_bits", "state_bits", "lanes", "tokens")})
    if target not in TARGETS:
        raise InputError(f"unknown target {target!r}; supported: {', '.join(TARGETS)}")
    # the board's PCF constrains sc_board_top's ports (board_build.pcf_text), not the core top's
    board_build = _board(ctx, board, device, package, freq_mhz or 12.0, baud, pcf, clock_pin, uart_pins)
    if auto and board_build is None:
        raise InputError("--freq auto chooses a board build's core clock; add --board NAME (or give MHz)")
    if board_build is not None:
        device, package, freq_mhz = board_build.profile.device, board_build.profile.package, board_build.clock.freq_mhz
    hardware = Ice40Options(device=device, package=package, freq_mhz=freq_mhz, seed=seed,
                            pcf=None if board_build else pcf, timeout_s=timeout, tools=tools)
    out_dir = out or Path("build") / model.stem
    built = model_core(model, **core)

    def build(board_build: BoardTarget | None, hardware: Ice40Options, force: bool):
        record = {**built.record, "target": target, "device": hardware.device, "package": hardware.package,
                  "freq_mhz": hardware.freq_mhz, "seed": hardware.seed, "pcf": None if pcf is None else str(pcf),
                  "tools": hardware.tools, **({"board": board_build.as_record()} if board_build else {})}
        return deploy_core(built.core, out_dir, hardware, force, provenance(model, record), board_build)

    result = build(board_build, hardware, force)
    faster = _faster(board_build, result.report.slowest_fmax_mhz) if auto else None
    if faster is not None:
        if not json_out:
            fmax = result.report.slowest_fmax_mhz
            console().print(f"placed at {board_build.clock.freq_mhz:g} MHz, Fmax {fmax:.1f} MHz: placing again at "
                            f"{faster.clock.freq_mhz:g} MHz through the PLL")
        # the first build is this command's own output, so the second replaces it
        result = build(faster, replace(hardware, freq_mhz=faster.clock.freq_mhz), True)
    if json_out:
        typer.echo(json.dumps(result.report.to_dict(), indent=2))
    else:
        render_deploy(result.report, console(), result.extra.get("attention_parts"), result.manifest.get("board"))
