"""Compile a NIR model or a block .yaml spec to SystemVerilog: top level, library modules, memory images, testbench,
manifest (no tools run)."""

import json
from pathlib import Path
from typing import Optional

import typer

from sc_neurocore.backends.build.provenance import provenance
from sc_neurocore.backends.compile import compile_core
from sc_neurocore.atomic import check_target
from sc_neurocore.errors import InputError
from sc_neurocore.export import write_nir
from sc_neurocore.frontend import read_nir
from sc_neurocore.presets import get_preset

from .. import options as opt
from ..checks import check_options
from ..model_core import INPUT_PEAK, LANES, MODEL_OR_SPEC, TOKENS, model_core
from ..render import console, render_block_compile, render_compile

def command(
    model: Path = MODEL_OR_SPEC,
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
    lanes: int = LANES,
    tokens: Optional[int] = TOKENS,
    input_peak: Optional[float] = INPUT_PEAK,
    force: bool = opt.FORCE,
    json_out: bool = opt.JSON,
) -> None:
    check_options(dt=dt, weight_bits=weight_bits, state_bits=state_bits, lanes=lanes, tokens=tokens)
    if emit_nir is not None:
        check_target(emit_nir, force, reading=(model,))
    out_dir = out or Path("build") / model.stem
    built = model_core(model, preset=preset, dt=dt, spike_condition=spike_condition, reset=reset,
                       weight_bits=weight_bits, state_bits=state_bits, arith=arith, stream_length=stream_length,
                       lanes=lanes, tokens=tokens, input_peak=input_peak)
    if emit_nir is not None and built.graph is None and built.options is None:
        raise InputError("--emit-nir writes a NIR model; a .yaml spec is not one")
    result = compile_core(built.core, out_dir, force, provenance(model, built.record))
    if emit_nir is not None:
        preset_conventions = get_preset(preset or "sc-neurocore")
        if built.graph is not None:
            write_nir(built.graph, emit_nir, preset=preset_conventions, force=force)
        else:
            write_nir(read_nir(model), emit_nir, preset=preset_conventions, dt=built.options.dt, force=force)
    if json_out:
        typer.echo(json.dumps({"out_dir": str(out_dir), "files": sorted(result.plan.files),
                               "manifest": result.plan.manifest}, indent=2))
    elif built.options is None:
        render_block_compile(console(), out_dir, result.plan, built.core.kind, built.name)
    else:
        render_compile(console(), out_dir, result.plan)
