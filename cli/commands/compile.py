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
from ..model_core import MODEL_OR_SPEC, model_core
from ..render import console, render_block_compile, render_compile

@opt.with_options("core", opt.core_options())
def command(
    model: Path = MODEL_OR_SPEC,
    out: Optional[Path] = typer.Option(None, "-o", "--out", help="Build directory (default: build/<model name>)."),
    emit_nir: Optional[Path] = typer.Option(None, "--emit-nir", help="Also write the model as read, as a NIR file."),
    core: dict = None,  # --preset .. --input-peak: opt.core_options()
    force: bool = opt.FORCE,
    json_out: bool = opt.JSON,
) -> None:
    check_options(**{name: core[name] for name in ("dt", "weight_bits", "state_bits", "lanes", "tokens")})
    if emit_nir is not None:
        check_target(emit_nir, force, reading=(model,))
    out_dir = out or Path("build") / model.stem
    built = model_core(model, **core)
    if emit_nir is not None and built.graph is None and built.options is None:
        raise InputError("--emit-nir writes a NIR model; a .yaml spec is not one")
    result = compile_core(built.core, out_dir, force, provenance(model, built.record))
    if emit_nir is not None:
        preset_conventions = get_preset(core["preset"] or "sc-neurocore")
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
