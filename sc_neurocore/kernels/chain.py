"""Operators applied in order: a projection that holds a convolution or pooling.

The fixed executor's `apply_int` of a `Chain` whose kernels are all integer-valued stays in float64
between its operators and converts once at the end: every intermediate value is an exact integer, so this equals rounding after each operator.
"""

from dataclasses import dataclass

import numpy as np

from sc_neurocore.errors import UnsupportedError
from sc_neurocore.kernels.exact import Operator

__all__ = ["Chain", "DENSIFY_LIMIT"]

DENSIFY_LIMIT = 1 << 16  # matrix entries: larger convolution projections are never densified


@dataclass(eq=False)
class Chain(Operator):
    """Operators applied in order (source side first)."""

    ops: list

    def __post_init__(self):
        self.n_in, self.n_out = self.ops[0].n_in, self.ops[-1].n_out
        weights = [np.asarray(op.weight) for op in self.ops]
        self._integral = all(np.issubdtype(w.dtype, np.integer) or bool(np.all(w == np.round(w))) for w in weights)

    def apply(self, x, grid=None):
        for op in self.ops:
            x = op.apply(x, grid)
            grid = op.through(grid)
        return x

    def apply_float32(self, x):
        for op in self.ops:
            x = op.apply_float32(x)
        return x

    def apply_int(self, x, grid=None):
        if self._integral:  # exact integers throughout in float64 (every operator takes int64 in): converted
            for op in self.ops[:-1]:  # once, by the last operator
                x = op.apply(x, grid)
                grid = op.through(grid)
            return self.ops[-1].apply_int(x, grid)
        return self.apply_int_reference(x)

    def apply_int_reference(self, x):
        """Per operator, rounded to int64 after each one: what `apply_int` must equal."""
        for op in self.ops:
            x = op.apply_int(x)
        return x

    def dense(self, where: str) -> np.ndarray:
        """The equivalent (n_out, n_in) matrix, for small chains only (hardware mapping)."""
        if self.n_in * self.n_out > DENSIFY_LIMIT:
            raise UnsupportedError(
                f"{where}: a {self.n_out} x {self.n_in} convolution/pooling projection is too large to map as "
                "a dense matrix, and the RTL core has no convolution engine yet; simulate it instead"
            )
        eye = np.eye(self.n_in, dtype=np.int64)
        return self.apply_int(eye).T.copy()
