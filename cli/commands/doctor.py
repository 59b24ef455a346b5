"""Show which FPGA and simulation tools were found, where, which versions, and whether the YoWASP cache is warm."""

import json

import typer

from sc_neurocore.backends.cosim import icarus_version
from sc_neurocore.backends.flow.tools import describe_toolchain, warm_yowasp

from .. import options as opt
from ..render import console, render_doctor


def command(
    warm: bool = typer.Option(False, "--warm", help="Compile the YoWASP tools now (40-80 s the first time)."),
    json_out: bool = opt.JSON,
) -> None:
    if warm:
        warm_yowasp()
    status = describe_toolchain()
    icarus_path, icarus = icarus_version()
    if json_out:
        record = status.to_dict() | {"icarus": {"path": icarus_path, "version": icarus}}
        typer.echo(json.dumps(record, indent=2))
    else:
        render_doctor(status, console())
        console().print(f"co-simulation: {icarus or 'Icarus Verilog not found (apt-get install iverilog)'}")
