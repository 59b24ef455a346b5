"""Simulate a NIR model in float or fixed point and summarise its activity."""

import json
from pathlib import Path
from typing import Optional

import typer

from sc_neurocore.atomic import check_target
from sc_neurocore.errors import InputError, UnsupportedError
from sc_neurocore.ir.blocks import TrainedAttention
from sc_neurocore.passes.pipeline import block_graph, load_network, load_quantised
from sc_neurocore.sim import PRECISIONS
from sc_neurocore.sim.blocks import block_input, is_trained_transformer, load_block_input, simulate_block_graph
from sc_neurocore.sim.sc import simulate_sc
from sc_neurocore.sim.stimulus import load_input, poisson_spikes
from sc_neurocore.sim.summary import simulate
from sc_neurocore.training.simulation import simulate_trained_ops, simulate_trained_transformer

from .. import options as opt
from ..output_files import save_npz
from ..checks import check_options
from ..render import console, render_simulation


@opt.with_options("options", opt.MODEL_OPTIONS)
def command(
    model: Path = opt.MODEL,
    input: Optional[Path] = typer.Option(None, "--input", help="Input array [T, n] or [T, B, n] (.npy/.npz)."),
    steps: Optional[int] = typer.Option(None, "--steps", help="Time steps (default: all of --input, else 100)."),
    rate: float = typer.Option(0.1, "--rate", help="Poisson spike probability per step when no --input is given."),
    seed: int = typer.Option(0, "--seed", help="Seed of the generated Poisson input."),
    batch: int = typer.Option(1, "--batch", help="Batch size of the generated input."),
    mode: Optional[str] = typer.Option(
        None, "--mode", help="float (reference, the default) or fixed (the hardware's arithmetic).", show_default=False
    ),
    out: Optional[Path] = typer.Option(None, "--out", help="Save spikes (and membranes) to this .npz file."),
    voltages: bool = typer.Option(False, "--voltages", help="Also save membrane traces in --out."),
    options: dict = None,  # --preset .. --stream-length: opt.MODEL_OPTIONS
    precision: str = opt.PRECISION,
    force: bool = opt.FORCE,
    json_out: bool = opt.JSON,
) -> None:
    if out is not None:
        check_target(out, force, reading=(model, input))
    if batch <= 0:
        raise InputError(f"--batch must be positive, got {batch}")
    check_options(steps=steps, batch=batch, rate=rate, seed=seed,
                  **{name: options[name] for name in ("dt", "weight_bits", "state_bits")})
    sc = opt.arith_config(options["arith"], options["stream_length"])
    if sc is not None and mode is not None:
        raise InputError("--arith sc runs the sc executor (the SC hardware's arithmetic): leave out --mode")
    mode = "sc" if sc is not None else mode or "float"
    if precision not in PRECISIONS:
        raise InputError(f"--precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
    if precision != "float64" and mode != "float":
        raise InputError(f"--precision {precision} is float mode's arithmetic: it cannot be combined with "
                         f"{'--arith sc' if mode == 'sc' else '--mode ' + mode}")
    graph = block_graph(model)
    if graph is not None:
        if precision != "float64":
            raise UnsupportedError(f"{model}: holds block ops (attention, SSM, CPG), which simulate runs in float64 only")
        if mode != "float":
            raise UnsupportedError(
                f"{model}: holds block ops (attention, SSM, CPG), which simulate runs in float only; their "
                "fixed-point cost is reported by sc_neurocore.sim.block_quantisation"
            )
        inputs = load_block_input(input, graph) if input is not None else block_input(graph, steps, batch, rate, seed)
        if is_trained_transformer(graph):
            simulate_graph = simulate_trained_transformer
        elif graph.of_type(TrainedAttention):
            simulate_graph = simulate_trained_ops
        else:
            simulate_graph = simulate_block_graph
        result, summary = simulate_graph(graph, inputs)
        _finish(model, result, summary, out, False, json_out)
        return
    model_options = opt.model_options(**{name: value for name, value in options.items()
                                         if name not in ("arith", "stream_length")})
    network, qnet = (load_quantised(model, model_options) if mode in ("fixed", "sc")
                     else (load_network(model, model_options), None))
    if input is not None:
        inputs = load_input(input, network.input_size, steps)
    else:
        inputs = poisson_spikes(steps or 100, network.input_size, rate, seed, batch)
    if sc is not None:
        result, summary = simulate_sc(network, qnet, inputs, sc)
    else:
        result, summary = simulate(network, qnet, inputs, mode, precision)
    _finish(model, result, summary, out, voltages, json_out, {"precision": precision} if mode == "float" else {})


def _finish(model, result, summary, out, voltages: bool, json_out: bool, extra: dict | None = None) -> None:
    if out is not None:
        arrays = {f"spikes/{name}": value for name, value in result.outputs.items()}
        arrays["output"] = result.output
        if voltages:
            arrays.update({f"v/{name}": value for name, value in result.voltages.items()})
        save_npz(out, arrays)
    if json_out:
        typer.echo(json.dumps({"model": str(model), **summary.to_dict(), **(extra or {}), "out": str(out) if out else None},
                               indent=2))
    else:
        render_simulation(console(), model, summary, out)

