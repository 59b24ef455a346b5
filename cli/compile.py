"""Compile a NIR model to SystemVerilog: top level, library modules, memory images, testbench, manifest."""

import json
from pathlib import Path
from typing import Optional

import typer

from sc_neurocore.backends.deploy import compile_design
from sc_neurocore.backends.provenance import provenance
from sc_neurocore.model import load_quantised

from . import options as opt
from .render import console, render_compile


def command(
    model: Path = opt.MODEL,
    out: Optional[Path] = typer.Option(None, "-o", "--out", help="Build directory (default: build/<model name>)."),
    dt: float = opt.DT,
    spike_condition: str = opt.SPIKE_CONDITION,
    reset: str = opt.RESET,
    weight_bits: int = opt.WEIGHT_BITS,
    state_bits: int = opt.STATE_BITS,
    arith: str = opt.ARITH,
    stream_length: int = opt.STREAM_LENGTH,
    force: bool = opt.FORCE,
    json_out: bool = opt.JSON,
) -> None:
    options = opt.model_options(dt, spike_condition, reset, weight_bits, state_bits)
    sc = opt.arith_config(arith, stream_length)
    _, qnet = load_quantised(model, options)
    out_dir = out or Path("build") / model.stem
    record = opt.options_record(options, **opt.arith_record(sc))
    result = compile_design(qnet, out_dir, force, provenance(model, record), sc=sc)
    if json_out:
        typer.echo(json.dumps({"out_dir": str(out_dir), "files": sorted(result.plan.files),
                               "manifest": result.plan.manifest}, indent=2))
    else:
        render_compile(console(), out_dir, result.plan)
