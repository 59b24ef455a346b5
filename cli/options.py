"""Options shared by several commands, declared once."""

from dataclasses import asdict
from pathlib import Path

import typer

from sc_neurocore.model import ModelOptions
from sc_neurocore.network import DEFAULT_DT

__all__ = ["DT", "SPIKE_CONDITION", "RESET", "WEIGHT_BITS", "STATE_BITS", "JSON", "FORCE", "model_options", "MODEL"]

MODEL = typer.Argument(..., help="The model: a NIR file (.nir).", show_default=False)
DT = typer.Option(DEFAULT_DT, "--dt", help="Time step in seconds used to discretise the NIR models.")
SPIKE_CONDITION = typer.Option("gt", "--spike-condition", help="Fire when v > threshold (gt) or v >= threshold (ge).")
RESET = typer.Option("model", "--reset", help="Reset to the model's v_reset (model), to zero, or by subtraction.")
WEIGHT_BITS = typer.Option(8, "--weight-bits", help="Fixed-point weight width.")
STATE_BITS = typer.Option(16, "--state-bits", help="Fixed-point membrane and current width.")
JSON = typer.Option(False, "--json", help="Print machine-readable JSON instead of tables.")
FORCE = typer.Option(False, "--force", help="Replace existing outputs.")


def model_options(dt: float, spike_condition: str, reset: str, weight_bits: int, state_bits: int) -> ModelOptions:
    return ModelOptions(dt=dt, spike_condition=spike_condition, reset=reset, weight_bits=weight_bits, state_bits=state_bits)


def options_record(options: ModelOptions, **extra) -> dict:
    return {**asdict(options), **{k: (str(v) if isinstance(v, Path) else v) for k, v in extra.items()}}
