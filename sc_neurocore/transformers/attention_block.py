"""What the seed API's attention blocks (SSA, SDSA, A²OS²A) share: the checked width, the input check, the
record of the last forward pass and its op counts (none before the first)."""

from __future__ import annotations

import numpy as np

from sc_neurocore.transformers._checks import last_dim, positive_int, real_array
from sc_neurocore.transformers.ops import OpCounts

__all__ = ["AttentionBlock"]


class AttentionBlock:
    """Base of the attention blocks in the layout ``[T, B, N, D]``: after :meth:`forward`, ``last_spikes``
    holds the block's spikes by name; a subclass counts their operations in ``_op_counts``."""

    def __init__(self, dim: int):
        self.dim = positive_int("dim", dim)
        self.last_spikes: dict[str, np.ndarray] = {}
        self._last_input: np.ndarray | None = None

    def _input(self, x_seq) -> np.ndarray:
        """``x_seq`` checked: real, ``[T, B, N, dim]``."""
        x_seq = real_array("x_seq", x_seq, (4,))
        last_dim("x_seq", x_seq, self.dim)
        return x_seq

    def _record(self, x_seq: np.ndarray, spikes: dict[str, np.ndarray]) -> None:
        self._last_input = x_seq
        self.last_spikes = spikes

    @property
    def op_counts(self) -> dict[str, OpCounts]:
        """Operations of the last forward pass: ``projections`` and ``attention`` (see ``_op_counts``)."""
        if not self.last_spikes:
            return {"projections": OpCounts(), "attention": OpCounts()}
        return self._op_counts(self._last_input, self.last_spikes)

    def _op_counts(self, x: np.ndarray, spikes: dict[str, np.ndarray]) -> dict[str, OpCounts]:
        raise NotImplementedError
