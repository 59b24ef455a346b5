"""Show which FPGA, programming and simulation tools were found, where, which versions, and whether the YoWASP cache is warm."""

import json

import typer

from sc_neurocore.backends.cosim import icarus_version
from sc_neurocore.backends.flow.tools import ProgrammerStatus, describe_programmers, describe_toolchain, warm_yowasp
from sc_neurocore.names import terminal_text

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
    programmers = describe_programmers()
    if json_out:
        record = status.to_dict() | {"icarus": {"path": icarus_path, "version": icarus},
                                     "programmers": [p.to_dict() for p in programmers]}
        typer.echo(json.dumps(record, indent=2))
    else:
        render_doctor(status, console())
        console().print(f"co-simulation: {icarus or 'Icarus Verilog not found (apt-get install iverilog)'}")
        for programmer in programmers:
            console().print(_programmer_line(programmer), markup=False, soft_wrap=True)


def _programmer_line(status: ProgrammerStatus) -> str:
    """`programmer iceprog: /usr/bin/iceprog (PATH), version unknown` or why it was not found."""
    if status.path is None:
        return terminal_text(f"programmer {status.name}: {status.problem}")
    version = status.version or status.problem or "-"
    return terminal_text(f"programmer {status.name}: {status.path} ({status.source}), version {version}")
