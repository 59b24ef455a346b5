"""Run inferences on a board flashed with a `deploy --board` build, or on that build simulated at its UART pins."""

import hashlib
import json
from pathlib import Path
from typing import Optional

import numpy as np
import typer

from sc_neurocore.atomic import atomic_write, check_target
from sc_neurocore.backends.cores.core import Core
from sc_neurocore.backends.host.link import HostLink
from sc_neurocore.backends.host.session import BoardBuild, BoardRun, check_core, run_inferences
from sc_neurocore.backends.host.transport import SerialTransport
from sc_neurocore.errors import InputError
from sc_neurocore.report.accuracy import load_workload, predictions
from sc_neurocore.report.transformer import load_features

from .. import options as opt
from ..checks import check_options
from ..model_core import core_for_build
from ..render import console, render_board_run

TRANSFORMER = "spiking_transformer"


def _model(build: BoardBuild, model: Optional[Path]) -> Path:
    """The model the build came from (`--model`, else the path its provenance records), unchanged since."""
    provenance = build.manifest.get("provenance") or {}
    path = model or (Path(provenance["model"]) if isinstance(provenance.get("model"), str) else None)
    if path is None or not path.is_file():
        raise InputError(f"the model of {build.path} ({path}) is not there; give it with --model")
    if hashlib.sha256(path.read_bytes()).hexdigest() != provenance.get("model_sha256"):
        raise InputError(f"{path} is not the model {build.path} was built from (its SHA-256 differs)")
    return path


def _stimuli(core: Core, build: BoardBuild, input_path: Optional[Path], steps: int, seed: int,
             samples: Optional[int]):
    """The core's stimuli (of the first `samples` samples, all when None), and the labels when the input
    has them."""
    if input_path is None:
        return [None], None  # the core's own example stimulus
    if build.stream["format"] == "events":
        workload = load_workload(input_path, core.net.input_size, steps, seed)
        spikes = (workload.inputs[:, :samples] > 0).astype(np.int64)
        labels = None if workload.labels is None else workload.labels[:samples]
        return [spikes[:, b, :] for b in range(spikes.shape[1])], labels
    if core.kind != TRANSFORMER:
        raise InputError(f"run --input takes spikes for a network core or images for the transformer; a "
                         f"{core.kind} build runs its own example stimulus (leave --input out)")
    images, labels = load_features(input_path, core.fixed.tokens * core.fixed.token_dim)
    # one stimulus of many inferences: the weights go over the link once
    return [images[:samples]], None if labels is None else labels[:samples]


def _predictions(outputs: list[np.ndarray]) -> np.ndarray:
    """The class of each inference: the output with the most spikes over the steps, or the largest logit."""
    return predictions(np.stack([out.reshape(-1, out.shape[-1]) for out in outputs], axis=1))


def _record(build: BoardBuild, run: BoardRun, labels, simulated_seconds: Optional[float]) -> dict:
    predicted = _predictions(run.outputs)
    record = {"build": str(build.path), "build_id": build.build_id.hex(), "inferences": len(run.words),
              "mismatches_against_twin": run.mismatches, "seconds": run.seconds,
              "inferences_per_second": len(run.words) / run.seconds if run.seconds else None,
              "bytes_to_device": run.bytes_to_device, "bytes_from_device": run.bytes_from_device,
              "predictions": predicted.tolist()}
    if labels is not None and len(labels) == len(predicted):
        record["accuracy"] = float(np.mean(predicted == labels))
    if simulated_seconds is not None:
        record["simulated_board_seconds"] = simulated_seconds
    return record


def _save(path: Path, run: BoardRun, record: dict) -> None:
    """outputs_<i> (one inference's decoded output each) and the predictions, written whole or not at all."""
    arrays = {f"output_{i}": out for i, out in enumerate(run.outputs)}

    def write(temporary: str) -> None:
        with open(temporary, "wb") as handle:  # a file object: np.savez would append .npz to a name
            np.savez(handle, predictions=np.array(record["predictions"]), **arrays)

    atomic_write(path, write)


def command(
    build_dir: Path = typer.Argument(..., help="A directory written by `sc-neurocore deploy --board`."),
    port: Optional[str] = typer.Option(None, "--port", help="Serial port of the board, e.g. /dev/ttyUSB1."),
    simulate: bool = typer.Option(False, "--simulate", help="Run the build's board top in Icarus, driven at its "
                                  "UART pins, instead of a board."),
    input: Optional[Path] = typer.Option(None, "--input", help="Input spikes (.npy/.npz), a labelled .npz "
                                         "('input', 'labels'), or the transformer's images [B, pixels]."),
    model: Optional[Path] = typer.Option(None, "--model", help="The model the build came from (default: the "
                                         "path the build records)."),
    steps: int = typer.Option(100, "--steps", help="Time steps of rate-coded [B, n] samples."),
    seed: int = typer.Option(0, "--seed", help="Seed of rate coding."),
    samples: Optional[int] = typer.Option(None, "--samples", help="Run only the first N samples of --input."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write the outputs and predictions to this .npz."),
    timeout: float = typer.Option(5.0, "--timeout", help="Seconds the board may stay silent."),
    retries: int = typer.Option(3, "--retries", help="Times a frame the board refuses is sent again."),
    force: bool = opt.FORCE,
    json_out: bool = opt.JSON,
) -> None:
    check_options(steps=steps, seed=seed, timeout=timeout)
    if samples is not None and samples < 1:
        raise InputError(f"--samples must be at least 1, got {samples}")
    if (port is None) == (not simulate):
        raise InputError("give the board's --port, or --simulate to run the build in Icarus")
    if retries < 0 or retries > 100:
        raise InputError(f"--retries must be in 0..100, got {retries}")
    if out is not None:
        check_target(out, force, reading=(input, model))
    build = BoardBuild.load(build_dir)
    built = core_for_build(_model(build, model), (build.manifest.get("provenance") or {}).get("options"))
    check_core(built.core, build)
    stimuli, labels = _stimuli(built.core, build, input, steps, seed, samples)
    transport = build.simulator() if simulate else SerialTransport(port, baud=int(build.board["baud"]))
    with HostLink(transport, timeout_s=timeout, retries=retries) as link:
        with console().status("running on the simulated board" if simulate else f"running on {port}") as status:
            result = run_inferences(link, build, built.core, stimuli,
                                    progress=lambda done, total: status.update(f"inference {done} of {total}"))
        simulated = transport.simulated_cycles / transport.clock_hz if simulate else None
    record = _record(build, result, labels, simulated)
    if out is not None:
        _save(out, result, record)
    if json_out:
        typer.echo(json.dumps(record, indent=2))
    else:
        render_board_run(record, console())
