"""Training configuration: YAML -> validated nested dict, errors name the key's path.

Every key has a default (``model.dt`` is the toolchain's default NIR time step, so ``deploy`` needs
no ``--dt`` for an exported model); unknown keys, wrong types and impossible values raise ``InputError``
before any training starts, e.g. ``config key 'optimiser.lr': expected a positive number, got -1``.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path

from sc_neurocore.errors import InputError
from sc_neurocore.passes.lower import DEFAULT_DT
from sc_neurocore.limits import limit, read_yaml
from sc_neurocore.names import safe_text

from .data import ENCODINGS
from .modules.mlp import READOUTS
from .modules.surrogate import SURROGATES
from .modules.transformer import ATTENTIONS

__all__ = ["DEFAULTS", "MODEL_TYPES", "load_config", "validate_config"]

MODEL_TYPES = ("mlp", "transformer", "ssm")

DEFAULTS = {
    "model": {
        "type": "mlp", "sizes": [64, 128, 10], "tau": 2 * DEFAULT_DT, "dt": DEFAULT_DT, "threshold": 1.0,
        "learn_threshold": True, "learn_tau": False, "readout": "spikes", "surrogate": "atan",
        "dim": 96, "heads": 4, "depth": 1, "mlp_ratio": 2, "attention": "ssa", "d_model": 128, "d_state": 128,
    },
    "data": {"source": "digits", "test_fraction": 0.3, "split_seed": 0, "augment": False, "image_shape": None},
    "encoding": {"kind": "direct", "steps": 8},
    "epochs": 30,
    "batch_size": 32,
    "optimiser": {"name": "adam", "lr": 0.002, "momentum": 0.9, "weight_decay": 0.0, "schedule": "cosine"},
    "quantisation": {"enabled": False, "epochs": 5, "lr": 0.0005, "weight_bits": 8, "state_bits": 16,
                     "input_frac_bits": 4},
    "seed": 0,
    "output": "train-out",
}

_CHOICES = {
    "model.type": MODEL_TYPES, "model.readout": READOUTS, "model.attention": ATTENTIONS,
    "model.surrogate": tuple(SURROGATES),
    "encoding.kind": ENCODINGS, "optimiser.name": ("adam", "sgd"), "optimiser.schedule": ("cosine", "constant"),
}
_POSITIVE = {"model.tau", "model.dt", "model.threshold", "data.test_fraction", "optimiser.lr", "quantisation.lr"}
_BITS = {"quantisation.weight_bits": (2, 16), "quantisation.state_bits": (8, 24)}
_POSITIVE_INT = {"model.dim", "model.heads", "model.depth", "model.mlp_ratio", "model.d_model", "model.d_state",
                 "encoding.steps", "epochs", "batch_size", "quantisation.weight_bits", "quantisation.state_bits"}


def _fail(path: str, message: str) -> None:
    raise InputError(f"config key '{safe_text(path)}': {safe_text(message, 300)}")


def _merge(defaults: dict, given: dict, prefix: str) -> dict:
    if not isinstance(given, dict):
        _fail(prefix.rstrip(".") or "<root>", f"expected a mapping, got {type(given).__name__}")
    out = copy.deepcopy(defaults)
    for key, value in given.items():
        path = prefix + str(key)
        if key not in defaults:
            _fail(path, f"unknown key; allowed: {', '.join(sorted(defaults))}")
        if isinstance(defaults[key], dict):
            out[key] = _merge(defaults[key], value, path + ".")
        else:
            out[key] = _check(path, defaults[key], value)
    return out


def _check(path: str, default, value):
    if isinstance(default, bool):
        if not isinstance(value, bool):
            _fail(path, f"expected true or false, got {value!r}")
        return value
    if isinstance(default, (int, float)) and not isinstance(default, bool):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            _fail(path, f"expected a number, got {value!r}")
        if isinstance(default, int) and not isinstance(value, int):
            _fail(path, f"expected an integer, got {value!r}")
        if not math.isfinite(value):
            _fail(path, f"expected a finite number, got {value!r}")
        if path in _BITS and not _BITS[path][0] <= value <= _BITS[path][1]:
            _fail(path, f"expected an integer from {_BITS[path][0]} to {_BITS[path][1]}, got {value!r}")
        if isinstance(value, int) and value > limit("dim"):
            _fail(path, f"{value} is past the limit of {limit('dim')}; set SC_NEUROCORE_MAX_DIM to raise it")
        if path in _POSITIVE and not value > 0 or path in _POSITIVE_INT and not value >= 1:
            _fail(path, f"expected a positive number, got {value!r}")
        if value < 0:
            _fail(path, f"expected a non-negative number, got {value!r}")
        return value
    if isinstance(default, list) or path == "data.image_shape":
        if value is None and path == "data.image_shape":
            return None
        if not isinstance(value, list) or len(value) > limit("nesting") or not all(
                isinstance(v, int) and not isinstance(v, bool) and 0 < v <= limit("dim") for v in value):
            _fail(path, f"expected a list of positive integers, got {value!r}")
        return value
    if not isinstance(value, str):
        _fail(path, f"expected a string, got {value!r}")
    if path in _CHOICES and value not in _CHOICES[path]:
        _fail(path, f"'{value}' is not one of {', '.join(_CHOICES[path])}")
    return value


def validate_config(raw: dict, base_dir: Path = Path(".")) -> dict:
    """Defaults filled in, every value checked, shapes checked against the model type."""
    cfg = _merge(DEFAULTS, raw if raw is not None else {}, "")
    model, enc = cfg["model"], cfg["encoding"]
    if cfg["data"]["test_fraction"] >= 1:
        _fail("data.test_fraction", "must be below 1")
    if model["type"] == "mlp" and len(model["sizes"]) < 2:
        _fail("model.sizes", "needs at least an input and an output size")
    if model["type"] == "transformer" and model["dim"] % model["heads"]:
        _fail("model.heads", f"must divide model.dim ({model['dim']})")
    if model["type"] == "ssm" and enc["kind"] != "sequential":
        _fail("encoding.kind", "the ssm model reads sequences: use 'sequential'")
    if model["type"] != "ssm" and enc["kind"] == "sequential":
        _fail("encoding.kind", f"'sequential' is for the ssm model, not '{model['type']}'")
    if cfg["quantisation"]["enabled"] and model["type"] != "mlp":
        _fail("quantisation.enabled", "quantisation-aware training is available for the mlp model")
    if model["learn_tau"] and not 0 < model["dt"] < model["tau"]:
        _fail("model.learn_tau", "a learnable tau needs 0 < model.dt < model.tau")
    if model["readout"] == "membrane" and model["type"] != "mlp":
        _fail("model.readout", "only the mlp model has a choice of readout")
    if model["attention"] != "ssa" and model["type"] != "transformer":
        _fail("model.attention", "only the transformer model has a choice of attention")
    shape = cfg["data"]["image_shape"]
    if shape is not None and len(shape) != 2:
        _fail("data.image_shape", "expected [rows, columns]")
    source = cfg["data"]["source"]
    if source != "digits":
        path = Path(source) if Path(source).is_absolute() else base_dir / source
        if path.suffix != ".npz" or not path.is_file():
            _fail("data.source", f"expected 'digits' or an existing .npz file, got '{source}'")
        cfg["data"]["source"] = str(path)
    return cfg


def load_config(path: Path) -> dict:
    """Read and validate a YAML file; relative paths in it are relative to the file."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"config file {path} does not exist")
    return validate_config(read_yaml(path), path.parent)
