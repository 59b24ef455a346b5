"""Compile a NIR model to SystemVerilog: top level, library modules, memory images, testbench, manifest."""

import json
from pathlib import Path
from typing import Optional

import typer

from sc_neurocore.backends.deploy import compile_design
from sc_neurocore.backends.provenance import provenance
from sc_neurocore.export import write_nir
from sc_neurocore.frontend import read_nir
from sc_neurocore.model import load_quantised
from sc_neurocore.presets import get_preset

from . import options as opt
from .render import console, render_compile


def command(
    model: Path = opt.MODEL,
    out: Optional[Path] = typer.Option(None, "-o", "--out", help="Build directory (default: build/<model name>)."),
    emit_nir: Optional[Path] = typer.Option(None, "--emit-nir", help="Also write the model as read, as a NIR file."),
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
    options = opt.model_options(preset, dt, spike_condition, reset, weight_bits, state_bits)
    sc = opt.arith_config(arith, stream_length)
    _, qnet = load_quantised(model, options)
    out_dir = out or Path("build") / model.stem
    record = opt.options_record(options, **opt.arith_record(sc))
    result = compile_design(qnet, out_dir, force, provenance(model, record), sc=sc)
    if emit_nir is not None:
        write_nir(read_nir(model), emit_nir, preset=get_preset(preset or "sc-neurocore"), dt=options.dt, force=force)
    if json_out:
        typer.echo(json.dumps({"out_dir": str(out_dir), "files": sorted(result.plan.files),
                               "manifest": result.plan.manifest}, indent=2))
    else:
        render_compile(console(), out_dir, result.plan)
