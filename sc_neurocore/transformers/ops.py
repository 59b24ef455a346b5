"""Operation counts of matrix products, computed from the operands actually used.

The rule that makes attention "addition-only": a product whose operand is a spike tensor (values in
{-1, 0, +1}) needs no multiplier — each non-zero spike gates an addition (or a subtraction) of the
other operand. Only a product of two multi-bit operands costs multiplications. Counts are event
counts: a gated addition happens once per pair of non-zero entries that meet in the product.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["OpCounts", "product_ops", "projection_ops", "is_spike_tensor"]


@dataclass(frozen=True)
class OpCounts:
    """Arithmetic operations of one stage.

    ``multiplies``: multi-bit x multi-bit products. ``accumulates``: additions into an accumulator
    (a multiply-accumulate counts one of each). ``and_ops``: 1-bit AND gates (binary x binary).
    """

    multiplies: int = 0
    accumulates: int = 0
    and_ops: int = 0

    def __add__(self, other: "OpCounts") -> "OpCounts":
        return OpCounts(
            self.multiplies + other.multiplies,
            self.accumulates + other.accumulates,
            self.and_ops + other.and_ops,
        )


def is_spike_tensor(values) -> bool:
    """True when every entry is -1, 0 or +1 (binary or ternary spikes)."""
    values = np.asarray(values)
    return bool(np.all((values == 0) | (np.abs(values) == 1)))


def product_ops(a, b, a_spikes: bool, b_spikes: bool) -> OpCounts:
    """Operations of the (batched) product ``a @ b``, ``a: (..., m, k)``, ``b: (..., k, n)``.

    With a spike operand: ``accumulates = sum_k nnz(a[:, k]) * nnz(b[k, :])`` (one gated addition
    per meeting pair of non-zeros), no multiplies; with two binary operands these are the popcount
    increments and ``and_ops = m * k * n`` AND gates are evaluated. Without a spike operand the
    product is dense: ``multiplies = accumulates = m * k * n`` per batch entry.
    """
    a = np.asarray(a)
    b = np.asarray(b)
    batch = int(np.prod(np.broadcast_shapes(a.shape[:-2], b.shape[:-2]), dtype=np.int64))
    m, k = a.shape[-2:]
    n = b.shape[-1]
    if not (a_spikes or b_spikes):
        dense = batch * m * k * n
        return OpCounts(multiplies=dense, accumulates=dense)
    a_col = np.count_nonzero(a, axis=-2)
    b_row = np.count_nonzero(b, axis=-1)
    events = int(np.sum(a_col * b_row, dtype=np.int64))
    binary = a_spikes and b_spikes and a.min(initial=0) >= 0 and b.min(initial=0) >= 0
    return OpCounts(accumulates=events, and_ops=batch * m * k * n if binary else 0)


def projection_ops(x, qkv_layers, attn_spikes, proj_weight) -> OpCounts:
    """Operations of the Q/K/V projections of input ``x`` (rows) and of the output projection,
    whose input ``attn_spikes`` (rows) is always spikes."""
    projections = OpCounts()
    for layer in qkv_layers:
        projections += product_ops(x, layer.weight, is_spike_tensor(x), False)
    return projections + product_ops(attn_spikes, proj_weight, True, False)
