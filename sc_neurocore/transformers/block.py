"""A spiking transformer block: attention and a spiking MLP, each with a residual connection.

::

    y = x + Attention(x)
    z = y + MLP(y),   MLP(y) = LIF(BN(LIF(BN(y W_1)) W_2))

in the layout ``[T, B, N, D]``. The attention is any of :class:`.ssa.SpikformerSSA` ("ssa"),
:class:`.sdsa.SpikeDrivenSelfAttention` ("sdsa") or :class:`.a2os2a.AdditionOnlyAttention`
("a2os2a"). With spiking sub-blocks the residual stream holds small integers (sums of spikes).
"""

from __future__ import annotations

import numpy as np

from sc_neurocore.errors import InputError
from sc_neurocore.models.mlp import spiking_mlp
from sc_neurocore.transformers._checks import positive_float, positive_int
from sc_neurocore.transformers.a2os2a import AdditionOnlyAttention
from sc_neurocore.transformers.layers import SpikingLinear
from sc_neurocore.transformers.ops import OpCounts, product_ops
from sc_neurocore.transformers.sdsa import SpikeDrivenSelfAttention
from sc_neurocore.transformers.ssa import SpikformerSSA

__all__ = ["SpikingMLP", "SpikingTransformerBlock", "ATTENTIONS"]

ATTENTIONS = ("ssa", "sdsa", "a2os2a")


class SpikingMLP:
    """Two :class:`SpikingLinear` layers ``dim -> hidden -> dim`` (``fc1``, ``fc2``): :func:`sc_neurocore.models.mlp.spiking_mlp`."""

    def __init__(self, dim: int, hidden: int, tau: float = 2.0, v_threshold: float = 1.0, seed: int = 0):
        self.fc1 = SpikingLinear(dim, hidden, tau, v_threshold, seed=(seed, 0))
        self.fc2 = SpikingLinear(hidden, dim, tau, v_threshold, seed=(seed, 1))
        self._hidden: np.ndarray | None = None

    def forward(self, x_seq: np.ndarray) -> np.ndarray:
        self._hidden, out = spiking_mlp(x_seq, [(fc.project, fc.fire) for fc in (self.fc1, self.fc2)])
        return out

    @property
    def op_counts(self) -> OpCounts:
        """fc2 runs on spikes (gated additions); fc1 on the residual stream (multiplies)."""
        if self._hidden is None:
            return OpCounts()
        hidden = self._hidden.reshape(-1, self.fc2.in_dim)
        tokens = hidden.shape[0]
        dense = tokens * self.fc1.in_dim * self.fc1.out_dim
        return OpCounts(multiplies=dense, accumulates=dense) + product_ops(hidden, self.fc2.weight, True, False)


class SpikingTransformerBlock:
    """Attention + spiking MLP with residuals; ``attention`` and ``mlp`` are the sub-blocks."""

    def __init__(
        self,
        dim: int,
        num_heads: int = 8,
        attention: str = "ssa",
        mlp_ratio: float = 4.0,
        tau: float = 2.0,
        seed: int = 0,
    ):
        positive_int("dim", dim)
        hidden = max(1, round(dim * positive_float("mlp_ratio", mlp_ratio)))
        if attention == "ssa":
            self.attention = SpikformerSSA(dim, num_heads, tau=tau, seed=seed)
        elif attention == "sdsa":
            self.attention = SpikeDrivenSelfAttention(dim, tau=tau, seed=seed)
        elif attention == "a2os2a":
            self.attention = AdditionOnlyAttention(dim, num_heads, tau=tau, seed=seed)
        else:
            raise InputError(f"attention must be one of {', '.join(ATTENTIONS)}, got {attention!r}")
        self.mlp = SpikingMLP(dim, hidden, tau, seed=seed + 1)

    def forward(self, x_seq: np.ndarray) -> np.ndarray:
        """``[T, B, N, D] -> float32 [T, B, N, D]``."""
        y = np.asarray(x_seq, np.float32) + self.attention.forward(x_seq)
        return y + self.mlp.forward(y)

    @property
    def op_counts(self) -> dict[str, OpCounts]:
        """Per stage: the attention's ``projections`` and ``attention``, and ``mlp``."""
        return {**self.attention.op_counts, "mlp": self.mlp.op_counts}
