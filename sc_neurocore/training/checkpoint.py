"""Reading a training checkpoint (`--resume`): every field checked, every failure one line naming the file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from sc_neurocore.errors import InputError
from sc_neurocore.limits import load_arrays
from sc_neurocore.names import safe_text

__all__ = ["read_checkpoint_meta", "load_checkpoint_state"]


def _damaged(path: Path, problem: str) -> InputError:
    return InputError(f"--resume: {path} is not a usable checkpoint: {problem}; start again without --resume")


def read_checkpoint_meta(path: Path) -> dict:
    """The checkpoint's history, phase and random-generator state, checked for type."""
    arrays = load_arrays(path, kinds="U", names=("meta",))
    if "meta" not in arrays or arrays["meta"].shape != ():
        raise _damaged(path, "no 'meta' record")
    try:
        meta = json.loads(str(arrays["meta"]))
    except (ValueError, RecursionError) as error:
        raise _damaged(path, f"its 'meta' record is not JSON ({safe_text(error, 80)})") from None
    if not isinstance(meta, dict) or not isinstance(meta.get("history"), list) \
            or not isinstance(meta.get("phase"), str) or not isinstance(meta.get("rng"), dict):
        raise _damaged(path, "its 'meta' record lacks history, phase or rng")
    if not all(isinstance(record, dict) for record in meta["history"]):
        raise _damaged(path, "its history holds something other than epoch records")
    try:
        np.random.default_rng(0).bit_generator.state = meta["rng"]
    except (ValueError, TypeError, KeyError, OverflowError) as error:
        raise _damaged(path, f"its random-generator state is invalid ({type(error).__name__})") from None
    return meta


def load_checkpoint_state(path: Path, model, opt) -> None:
    """Put the checkpoint's parameters into `model` and its optimiser state into `opt`, after checking both."""
    arrays = load_arrays(path, kinds="biufU")
    params = {k[6:]: v for k, v in arrays.items() if k.startswith("param/")}
    state = {k[6:]: v for k, v in arrays.items() if k.startswith("optim/")}
    for name, value in {**params, **state}.items():
        if value.dtype.kind not in "biuf":
            raise _damaged(path, f"{safe_text(name)} holds {value.dtype} values, not numbers")
        if not np.all(np.isfinite(value)):
            raise _damaged(path, f"{safe_text(name)} holds NaN or infinite values")
    expected = opt.state()
    if set(expected) != set(state):
        raise _damaged(path, "its optimiser state does not match this configuration's optimiser")
    for name, value in expected.items():
        if np.shape(value) != state[name].shape:
            raise _damaged(path, f"optimiser entry {safe_text(name)} has shape {state[name].shape}, "
                                 f"expected {np.shape(value)}")
    try:
        model.load_state_dict(params)
    except InputError as error:
        raise _damaged(path, str(error)) from None
    opt.load_state(state)
