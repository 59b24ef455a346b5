"""Build a NIR model for an FPGA: emit bit-true SystemVerilog, run yosys, nextpnr-ice40 and icepack."""

import json
from pathlib import Path
from typing import Optional

import typer

from sc_neurocore.backends.deploy import deploy_design
from sc_neurocore.backends.ice40 import Ice40Options
from sc_neurocore.backends.provenance import provenance
from sc_neurocore.errors import InputError
from sc_neurocore.model import load_quantised

from . import options as opt
from .render import console, render_build_report

TARGETS = ("ice40",)


def command(
    model: Path = opt.MODEL,
    target: str = typer.Option("ice40", "--target", help="FPGA family."),
    device: str = typer.Option("up5k", "--device", help="up5k, hx8k or hx1k."),
    package: Optional[str] = typer.Option(None, "--package", help="Package (default per device: sg48, ct256, vq100)."),
    freq: float = typer.Option(12.0, "--freq", help="Clock constraint in MHz."),
    seed: int = typer.Option(1, "--seed", help="Placement seed of nextpnr."),
    pcf: Optional[Path] = typer.Option(None, "--pcf", help="Pin constraints; without it nextpnr places the IOs."),
    out: Optional[Path] = typer.Option(None, "-o", "--out", help="Build directory (default: build/<model name>)."),
    timeout: float = typer.Option(900.0, "--timeout", help="Seconds the tool flow may take."),
    tools: str = typer.Option("auto", "--tools", help="auto, yowasp (PyPI builds) or native (on PATH)."),
    preset: Optional[str] = opt.PRESET,
    dt: Optional[float] = opt.DT,
    spike_condition: Optional[str] = opt.SPIKE_CONDITION,
    reset: Optional[str] = opt.RESET,
    weight_bits: int = opt.WEIGHT_BITS,
    state_bits: int = opt.STATE_BITS,
    arith: str = opt.ARITH,
    stream_length: int = opt.STREAM_LENGTH,
    force: bool = opt.FORCE,
    json_out: bool = opt.JSON,
) -> None:
    if target not in TARGETS:
        raise InputError(f"unknown target {target!r}; supported: {', '.join(TARGETS)}")
    hardware = Ice40Options(device=device, package=package, freq_mhz=freq, seed=seed, pcf=pcf,
                            timeout_s=timeout, tools=tools)
    options = opt.model_options(preset, dt, spike_condition, reset, weight_bits, state_bits)
    sc = opt.arith_config(arith, stream_length)
    _, qnet = load_quantised(model, options)
    out_dir = out or Path("build") / model.stem
    record = opt.options_record(options, target=target, device=device, package=hardware.package, freq_mhz=freq,
                                seed=seed, pcf=pcf, tools=tools, **opt.arith_record(sc))
    result = deploy_design(qnet, out_dir, hardware, force, provenance(model, record), sc=sc)
    if json_out:
        typer.echo(json.dumps(result.report.to_dict(), indent=2))
    else:
        render_build_report(result.report, console())
