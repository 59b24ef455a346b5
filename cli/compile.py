"""Compile a NIR model to SystemVerilog: top level, library modules, memory images, testbench, manifest."""

import json
from dataclasses import asdict
from pathlib import Path
from typing import Optional

import typer

from sc_neurocore.backends.block_deploy import BlockSettings, block_hardware, compile_block
from sc_neurocore.backends.deploy import compile_design
from sc_neurocore.backends.provenance import provenance
from sc_neurocore.block_simulation import block_graph
from sc_neurocore.errors import InputError
from sc_neurocore.export import write_nir
from sc_neurocore.frontend import read_nir
from sc_neurocore.model import load_quantised
from sc_neurocore.presets import get_preset

from . import options as opt
from .render import console, render_compile

LANES = typer.Option(1, "--lanes", help="Fold of a block op from a NIR file (SSM states or CPG phases per clock).")


def block_settings(lanes: int, weight_bits: int, state_bits: int, dt, spike_condition, reset,
                   arith: str) -> BlockSettings:
    """The settings of a block op's hardware; options that only shape neuron networks are refused."""
    given = [flag for flag, value in (("--dt", dt), ("--spike-condition", spike_condition), ("--reset", reset))
             if value is not None] + (["--arith"] if arith != "fixed" else [])
    if given:
        raise InputError(f"{', '.join(given)} apply to neuron networks; a block op carries its own dynamics")
    return BlockSettings(lanes=lanes, weight_bits=weight_bits, state_bits=state_bits)


def check_no_lanes(lanes: int, model_is: str) -> None:
    """--lanes only folds a block op from a NIR file."""
    if lanes != 1:
        raise InputError(f"--lanes folds a block op (SSM, CPG) from a NIR file; {model_is}")


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
    force: bool = opt.FORCE,
    json_out: bool = opt.JSON,
) -> None:
    out_dir = out or Path("build") / model.stem
    graph = block_graph(model)
    if graph is not None:  # attention, SSM or CPG ops: built from the op's own parameters
        settings = block_settings(lanes, weight_bits, state_bits, dt, spike_condition, reset, arith)
        hardware = block_hardware(graph, settings)
        record = {"block": hardware.kind, **asdict(settings)}
        result = compile_block(hardware, out_dir, force, provenance(model, record))
        if emit_nir is not None:
            write_nir(graph, emit_nir, preset=get_preset(preset or "sc-neurocore"), force=force)
    else:
        check_no_lanes(lanes, "this model is a neuron network")
        options = opt.model_options(preset, dt, spike_condition, reset, weight_bits, state_bits)
        sc = opt.arith_config(arith, stream_length)
        _, qnet = load_quantised(model, options)
        record = opt.options_record(options, **opt.arith_record(sc))
        result = compile_design(qnet, out_dir, force, provenance(model, record), sc=sc)
        if emit_nir is not None:
            write_nir(read_nir(model), emit_nir, preset=get_preset(preset or "sc-neurocore"), dt=options.dt,
                      force=force)
    if json_out:
        typer.echo(json.dumps({"out_dir": str(out_dir), "files": sorted(result.plan.files),
                               "manifest": result.plan.manifest}, indent=2))
    elif graph is not None:
        _render_block(out_dir, result.plan, hardware)
    else:
        render_compile(console(), out_dir, result.plan)


def _render_block(out_dir: Path, plan, hardware) -> None:
    out = console()
    out.print(f"wrote {len(plan.files)} files to {out_dir}", soft_wrap=True)
    for name in sorted(plan.files):
        out.print(f"  {name}")
    out.print(f"top {plan.top}: {plan.manifest['top_level_io_bits']} IO bits, block {hardware.kind} "
              f"(node {hardware.name!r}) with its own parameters, lanes={hardware.spec.lanes}")
