"""The baseline's co-simulation trace as its integer reference
:func:`~sc_neurocore.sim.twins.softmax_attention.mac_softmax_attention` predicts it."""

from __future__ import annotations

import numpy as np

from sc_neurocore.sim.twins.softmax_attention import mac_softmax_attention

__all__ = ["expected_mac_trace"]


def expected_mac_trace(q: np.ndarray, k: np.ndarray, v: np.ndarray) -> list[str]:
    """The reference's outputs in the testbench's format: "Y <(h * N + i) * DH + dim> <value>"."""
    return [f"Y {index} {int(y)}" for index, y in enumerate(mac_softmax_attention(q, k, v).ravel())]
