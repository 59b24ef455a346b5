"""Options shared by several commands, declared once."""

import functools
import inspect
from dataclasses import asdict
from pathlib import Path
from typing import Optional

import typer

from sc_neurocore.errors import InputError
from sc_neurocore.passes.lower import DEFAULT_DT
from sc_neurocore.passes.pipeline import ModelOptions
from sc_neurocore.presets import PRESETS, get_preset
from sc_neurocore.sim.sc import ScConfig, sc_config

__all__ = [
    "PRESET", "DT", "SPIKE_CONDITION", "RESET", "WEIGHT_BITS", "STATE_BITS", "JSON", "FORCE", "model_options", "MODEL",
    "ARITH", "STREAM_LENGTH", "arith_config", "arith_record", "PRECISION", "MODEL_OPTIONS", "core_options",
    "with_options",
]

MODEL = typer.Argument(..., help="The model: a NIR file (.nir).", show_default=False)
PRESET = typer.Option(
    None, "--preset", help="Conventions of the framework that wrote the file: " + ", ".join(PRESETS) + "."
)
DT = typer.Option(None, "--dt", help=f"Time step in seconds that discretises the NIR models [default: {DEFAULT_DT:g}].")
SPIKE_CONDITION = typer.Option(None, "--spike-condition", help="Fire when v > threshold (gt, default) or v >= it (ge).")
RESET = typer.Option(None, "--reset", help="Reset to the model's v_reset (model, default), to zero, or by subtraction.")
WEIGHT_BITS = typer.Option(8, "--weight-bits", help="Fixed-point weight width.")
STATE_BITS = typer.Option(16, "--state-bits", help="Fixed-point membrane and current width.")
JSON = typer.Option(False, "--json", help="Print machine-readable JSON instead of tables.")
FORCE = typer.Option(False, "--force", help="Replace existing outputs.")
ARITH = typer.Option("fixed", "--arith", help="Synapse arithmetic: fixed (integer) or sc (stochastic bitstreams).")
STREAM_LENGTH = typer.Option(256, "--stream-length", help="Bits per SC weight stream with --arith sc (a power of two).")
PRECISION = typer.Option(
    "float64", "--precision",
    help="Float mode's arithmetic: float64 (the reference) or float32 (faster, as snnTorch computes; not bit-exact).",
)

ARITHS = ("fixed", "sc")

# The options that shape a model's arithmetic, by parameter name: (type, typer declaration).
MODEL_OPTIONS = {
    "preset": (Optional[str], PRESET),
    "dt": (Optional[float], DT),
    "spike_condition": (Optional[str], SPIKE_CONDITION),
    "reset": (Optional[str], RESET),
    "weight_bits": (int, WEIGHT_BITS),
    "state_bits": (int, STATE_BITS),
    "arith": (str, ARITH),
    "stream_length": (int, STREAM_LENGTH),
}


def core_options() -> dict:
    """MODEL_OPTIONS and the fold and shape of a block op: every option `model_core` takes."""
    from .model_core import INPUT_PEAK, LANES, TOKENS  # model_core imports this module

    return {**MODEL_OPTIONS, "lanes": (int, LANES), "tokens": (Optional[int], TOKENS),
            "input_peak": (Optional[float], INPUT_PEAK)}


def with_options(parameter: str, options: dict):
    """Give a command the shared `options` in place of its parameter `parameter` (so --help lists them
    there, in this order) and pass them to it together, as one dict of name to value under that name."""

    def decorate(command):
        signature = inspect.signature(command)
        parameters = []
        for declared in signature.parameters.values():
            if declared.name != parameter:
                parameters.append(declared)
                continue
            parameters += [inspect.Parameter(name, declared.POSITIONAL_OR_KEYWORD, default=typer_option,
                                             annotation=kind) for name, (kind, typer_option) in options.items()]

        @functools.wraps(command)
        def run(**values):
            grouped = {name: values.pop(name) for name in options}
            return command(**values, **{parameter: grouped})

        run.__signature__ = signature.replace(parameters=parameters)
        run.__annotations__ = {declared.name: declared.annotation for declared in parameters}
        return run

    return decorate


def model_options(
    preset: str | None, dt: float | None, spike_condition: str | None, reset: str | None,
    weight_bits: int, state_bits: int,
) -> ModelOptions:
    """The preset's conventions (sc-neurocore's when none is named), overridden by explicit options."""
    base = get_preset(preset or "sc-neurocore")
    return ModelOptions(
        dt=base.dt if dt is None else dt,
        spike_condition=base.spike_condition if spike_condition is None else spike_condition,
        reset=base.reset if reset is None else reset,
        weight_bits=weight_bits, state_bits=state_bits, integrator_r=base.integrator_r,
    )


def options_record(options: ModelOptions, **extra) -> dict:
    return {**asdict(options), **{k: (str(v) if isinstance(v, Path) else v) for k, v in extra.items()}}


def arith_config(arith: str, stream_length: int) -> ScConfig | None:
    """None for the fixed-point path, the SC configuration for `--arith sc`."""
    if arith not in ARITHS:
        raise InputError(f"--arith must be one of {', '.join(ARITHS)}, got {arith!r}")
    config = sc_config(stream_length)
    return config if arith == "sc" else None


def arith_record(config: ScConfig | None) -> dict:
    """Extra provenance for SC builds; fixed-point builds record exactly what they did before."""
    return {} if config is None else {"arith": "sc", "stream_length": config.stream_length}
