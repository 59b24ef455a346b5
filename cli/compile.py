"""Compile a NIR model to SystemVerilog: top level, library modules, memory images, testbench, manifest."""

import json
from dataclasses import asdict
from pathlib import Path
from typing import Optional

import typer

from sc_neurocore.backends.build.provenance import provenance
from sc_neurocore.backends.compile import compile_core
from sc_neurocore.backends.cores import core_for_graph, core_for_network
from sc_neurocore.backends.cores.settings import BlockSettings
from sc_neurocore.atomic import check_target
from sc_neurocore.errors import InputError
from sc_neurocore.export import write_nir
from sc_neurocore.frontend import read_nir
from sc_neurocore.passes.pipeline import block_graph, load_quantised
from sc_neurocore.presets import get_preset

from . import options as opt
from .checks import check_options
from .render import console, render_block_compile, render_compile

LANES = typer.Option(1, "--lanes", help="Fold of a block op from a NIR file (SSM states, CPG phases or attention "
                                        "head dimensions per clock).")
TOKENS = typer.Option(None, "--tokens", help="Tokens per inference of an attention op from a NIR file (default 32).")
INPUT_PEAK = typer.Option(
    None, "--input-peak",
    help="Largest |input| of an attention op from a NIR file (default 1.0: rates); sets its input scale and "
         "thresholds.",
)


def block_settings(lanes: int, weight_bits: int, state_bits: int, dt, spike_condition, reset, arith: str,
                   tokens: int | None = None, input_peak: float | None = None) -> BlockSettings:
    """The settings of a block op's hardware; options that only shape neuron networks are refused."""
    given = [flag for flag, value in (("--dt", dt), ("--spike-condition", spike_condition), ("--reset", reset))
             if value is not None] + (["--arith"] if arith != "fixed" else [])
    if given:
        raise InputError(f"{', '.join(given)} apply to neuron networks; a block op carries its own dynamics")
    return BlockSettings(lanes=lanes, weight_bits=weight_bits, state_bits=state_bits, tokens=tokens,
                         input_peak=input_peak)


def check_network_only(lanes: int, tokens: int | None, input_peak: float | None, model_is: str) -> None:
    """--lanes, --tokens and --input-peak only shape a block op from a NIR file."""
    given = [flag for flag, value in (("--lanes", lanes != 1), ("--tokens", tokens is not None),
                                      ("--input-peak", input_peak is not None)) if value]
    if given:
        raise InputError(f"{', '.join(given)} shape a block op (attention, SSM, CPG) from a NIR file; {model_is}")


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
    graph = block_graph(model)
    if graph is not None:  # attention, SSM or CPG ops: built from the op's own parameters
        settings = block_settings(lanes, weight_bits, state_bits, dt, spike_condition, reset, arith, tokens,
                                  input_peak)
        name, core = core_for_graph(graph, settings)
        record = {"block": core.kind, **asdict(settings)}
        result = compile_core(core, out_dir, force, provenance(model, record))
        if emit_nir is not None:
            write_nir(graph, emit_nir, preset=get_preset(preset or "sc-neurocore"), force=force)
    else:
        check_network_only(lanes, tokens, input_peak, "this model is a neuron network")
        options = opt.model_options(preset, dt, spike_condition, reset, weight_bits, state_bits)
        sc = opt.arith_config(arith, stream_length)
        _, qnet = load_quantised(model, options)
        record = opt.options_record(options, **opt.arith_record(sc))
        result = compile_core(core_for_network(qnet, sc), out_dir, force, provenance(model, record))
        if emit_nir is not None:
            write_nir(read_nir(model), emit_nir, preset=get_preset(preset or "sc-neurocore"), dt=options.dt,
                      force=force)
    if json_out:
        typer.echo(json.dumps({"out_dir": str(out_dir), "files": sorted(result.plan.files),
                               "manifest": result.plan.manifest}, indent=2))
    elif graph is not None:
        render_block_compile(console(), out_dir, result.plan, core.kind, name)
    else:
        render_compile(console(), out_dir, result.plan)
