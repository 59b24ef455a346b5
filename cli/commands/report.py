"""Show what a build costs and how fast it runs; with its model, also activity, energy and accuracy."""

import json
from pathlib import Path
from typing import Optional

import typer

from sc_neurocore.atomic import check_target
from sc_neurocore.report import make_report, report_document

from .. import options as opt
from ..checks import check_options
from ..render import console, render_comparison, render_report


def command(
    build_dir: Path = typer.Argument(..., help="A directory written by `sc-neurocore deploy`."),
    build_b: Optional[Path] = typer.Argument(None, help="A second build to compare with the first."),
    model: Optional[Path] = typer.Option(None, "--model", help="The .nir model the build(s) came from."),
    input: Optional[Path] = typer.Option(
        None, "--input", help="Input spikes (.npy/.npz), or a labelled .npz ('input' [T,B,n] or [B,n], 'labels')."
    ),
    steps: int = typer.Option(100, "--steps", help="Time steps of generated input, or of rate-coded [B,n] samples."),
    rate: float = typer.Option(0.1, "--rate", help="Poisson spike probability per step when no --input is given."),
    seed: int = typer.Option(0, "--seed", help="Seed of generated or rate-coded input."),
    json_out: bool = opt.JSON,
    html: Optional[Path] = typer.Option(None, "--html", help="Also write a self-contained HTML page here."),
    force: bool = opt.FORCE,
) -> None:
    check_options(steps=steps, rate=rate, seed=seed)
    if html is not None:
        check_target(html, force, reading=(model, input, build_dir / "build_report.json"))
        from sc_neurocore.report.html import check_html_target

        check_html_target(html, force)  # before any work: an existing page is never half-replaced
    builds = [build_dir] if build_b is None else [build_dir, build_b]
    reports = [make_report(path, model, input, steps, rate, seed) for path in builds]
    if html is not None:
        from sc_neurocore.report.html import render_html, save_html

        save_html(html, render_html(reports), force)
    if json_out:
        typer.echo(json.dumps(report_document(reports), indent=2))
    elif len(reports) == 2:
        render_comparison(*reports, console())
    else:
        render_report(reports[0], console())
    if html is not None and not json_out:
        console().print(f"html: {html}", soft_wrap=True)
