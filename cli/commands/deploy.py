"""Build a NIR model or a transformer-block .yaml spec for an FPGA: bit-true SystemVerilog, yosys, nextpnr, icepack."""

import json
from pathlib import Path
from typing import Optional

import typer

from sc_neurocore.backends.build.provenance import provenance
from sc_neurocore.backends.deploy import deploy_core
from sc_neurocore.backends.flow.icestorm import Ice40Options
from sc_neurocore.errors import InputError

from .. import options as opt
from ..checks import check_options
from ..model_core import MODEL_OR_SPEC, model_core
from ..render import console, render_deploy

TARGETS = ("ice40",)


@opt.with_options("core", opt.core_options())
def command(
    model: Path = MODEL_OR_SPEC,
    target: str = typer.Option("ice40", "--target", help="FPGA family."),
    device: str = typer.Option("up5k", "--device", help="up5k, hx8k or hx1k."),
    package: Optional[str] = typer.Option(None, "--package", help="Package (default per device: sg48, ct256, vq100)."),
    freq: float = typer.Option(12.0, "--freq", help="Clock constraint in MHz."),
    seed: int = typer.Option(1, "--seed", help="Placement seed of nextpnr."),
    pcf: Optional[Path] = typer.Option(None, "--pcf", help="Pin constraints; without it nextpnr places the IOs."),
    out: Optional[Path] = typer.Option(None, "-o", "--out", help="Build directory (default: build/<model name>)."),
    timeout: float = typer.Option(900.0, "--timeout", help="Seconds the tool flow may take."),
    tools: str = typer.Option("auto", "--tools", help="auto, yowasp (PyPI builds) or native (on PATH)."),
    core: dict = None,  # --preset .. --input-peak: opt.core_options()
    force: bool = opt.FORCE,
    json_out: bool = opt.JSON,
) -> None:
    check_options(freq=freq, timeout=timeout, seed=seed,
                  **{name: core[name] for name in ("dt", "weight_bits", "state_bits", "lanes", "tokens")})
    if target not in TARGETS:
        raise InputError(f"unknown target {target!r}; supported: {', '.join(TARGETS)}")
    hardware = Ice40Options(device=device, package=package, freq_mhz=freq, seed=seed, pcf=pcf,
                            timeout_s=timeout, tools=tools)
    out_dir = out or Path("build") / model.stem
    built = model_core(model, **core)
    record = {**built.record, "target": target, "device": hardware.device, "package": hardware.package,
              "freq_mhz": hardware.freq_mhz, "seed": hardware.seed, "pcf": None if pcf is None else str(pcf),
              "tools": hardware.tools}
    result = deploy_core(built.core, out_dir, hardware, force, provenance(model, record))
    if json_out:
        typer.echo(json.dumps(result.report.to_dict(), indent=2))
    else:
        render_deploy(result.report, console(), result.extra.get("attention_parts"))
