"""Small pieces every block-op subgraph is made of: its input and output ends, chains of edges, and
the one value a repeated array stands for."""

from __future__ import annotations

import nir
import numpy as np

from sc_neurocore.errors import ModelError

__all__ = ["ends", "chain", "single_value"]


def ends(width_in: int, width_out: int) -> dict:
    """The subgraph's ``input`` and ``output`` nodes."""
    return {"input": nir.Input({"input": np.array([width_in])}),
            "output": nir.Output({"output": np.array([width_out])})}


def chain(*names: str) -> list[tuple[str, str]]:
    """Edges ``names[0] -> names[1] -> ...``."""
    return list(zip(names[:-1], names[1:]))


def single_value(array, what: str) -> float:
    """The value ``array`` repeats; ModelError naming ``what`` if it holds more than one."""
    values = np.asarray(array, dtype=np.float64).ravel()
    if values.size == 0 or np.any(values != values[0]):
        raise ModelError(f"{what} must be one value repeated (the op has a single {what})")
    return float(values[0])
