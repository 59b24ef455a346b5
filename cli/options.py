"""Options shared by several commands, declared once."""

from dataclasses import asdict
from pathlib import Path

import typer

from sc_neurocore.errors import InputError
from sc_neurocore.passes.lower import DEFAULT_DT
from sc_neurocore.passes.pipeline import ModelOptions
from sc_neurocore.presets import PRESETS, get_preset
from sc_neurocore.sim.sc import ScConfig, sc_config

__all__ = [
    "PRESET", "DT", "SPIKE_CONDITION", "RESET", "WEIGHT_BITS", "STATE_BITS", "JSON", "FORCE", "model_options", "MODEL",
    "ARITH", "STREAM_LENGTH", "arith_config", "arith_record", "PRECISION",
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
