"""Train a spiking network (MLP, spiking transformer or spiking SSM) from a YAML configuration.

The configuration names the model, data (the 8x8 digits or an .npz file), encoding, epochs,
optimiser, seed and output folder; it is checked before training starts. The output folder gets
checkpoint.npz (after every epoch; continue with --resume), metrics.json, a training curve and, for
the MLP and the transformer with SSA attention, model.nir for `sc-neurocore deploy` and test_set.npz
(the labelled test split: spikes for a spike-encoded MLP, features for the transformer) for
`sc-neurocore report --model model.nir --input test_set.npz`.
"""

import json
import sys
from pathlib import Path

import typer

from sc_neurocore.errors import InputError
from sc_neurocore.training.config import load_config
from sc_neurocore.training.run import run_training

__all__ = ["command"]


def command(
    config: Path = typer.Argument(..., help="Training configuration (YAML).", show_default=False),
    resume: bool = typer.Option(False, "--resume", help="Continue from the output folder's checkpoint."),
    json_out: bool = typer.Option(False, "--json", help="Print the metrics as JSON instead of a summary."),
    force: bool = typer.Option(False, "--force", help="Replace the outputs of an earlier run."),
) -> None:
    cfg = load_config(config)
    out = Path(cfg["output"])
    if not resume and not force and (out / "metrics.json").exists():
        raise InputError(f"{out} already holds a finished run: use --force to replace it or --resume")
    show_progress = sys.stdout.isatty() and not json_out
    if show_progress:
        result = _train_with_progress(cfg, resume)
    else:
        result = run_training(cfg, resume=resume)
    summary = {k: v for k, v in result.metrics.items() if k != "history"}
    if json_out:
        typer.echo(json.dumps({"metrics": summary, "files": result.files}, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"trained {summary['model']} ({summary['epochs']} epochs, {summary['seconds']:.1f} s)")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, value in summary.items():
        if key.endswith("accuracy") and value is not None:
            table.add_row(key, f"{100 * value:.2f} %")
    for name, path in result.files.items():
        table.add_row(name, path)
    Console(highlight=False).print(table)


def _train_with_progress(cfg: dict, resume: bool):
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    columns = [TextColumn("epoch {task.fields[epoch]}"), BarColumn(), TextColumn("{task.fields[status]}"),
               TimeElapsedColumn(), TimeRemainingColumn()]
    with Progress(*columns, transient=False) as progress:
        total = cfg["epochs"] + (cfg["quantisation"]["epochs"] if cfg["quantisation"]["enabled"] else 0)
        task = progress.add_task("train", total=total, epoch=f"0/{total}", status="")

        def on_epoch(epoch: int, total: int, record: dict) -> None:
            status = (f"{record['phase']} loss {record['loss']:.4f}  train {100 * record['train_accuracy']:.1f} %"
                      f"  test {100 * record['test_accuracy']:.1f} %")
            progress.update(task, completed=epoch, epoch=f"{epoch}/{total}", status=status)

        return run_training(cfg, resume=resume, on_epoch=on_epoch)
