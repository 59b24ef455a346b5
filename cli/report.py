"""Show the report of a finished build directory."""

import json
from dataclasses import replace
from pathlib import Path

import typer

from sc_neurocore.backends.deploy import BUILD_REPORT
from sc_neurocore.backends.reports import load_build_report

from . import options as opt
from .render import console, render_build_report


def command(
    build_dir: Path = typer.Argument(..., help="A directory written by `sc-neurocore deploy`."),
    json_out: bool = opt.JSON,
) -> None:
    report = load_build_report(build_dir / BUILD_REPORT)
    if report.bitstream is not None and not report.bitstream.is_absolute():
        report = replace(report, bitstream=build_dir / report.bitstream)  # stored relative to the build
    if json_out:
        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        render_build_report(report, console())
