"""Stochastic cross-correlation (SCC, Alaghi and Hayes 2013) between packed streams.

With p_a, p_b the fractions of ones and p_ab the fraction of common ones, delta = p_ab - p_a p_b:

    SCC = delta / (min(p_a, p_b) - p_a p_b)               if delta > 0
    SCC = delta / (p_a p_b - max(p_a + p_b - 1, 0))       otherwise

+1: maximal overlap (AND gives min(p_a, p_b)); 0: independent-like (AND gives p_a p_b); -1: minimal
overlap (AND gives max(p_a + p_b - 1, 0)). Defined as 0 when the denominator vanishes (a constant stream).
"""

import numpy as np

from .ops import sc_and
from .packed import Bitstreams, decode_unipolar

__all__ = ["scc"]


def scc(a: Bitstreams, b: Bitstreams) -> np.ndarray:
    """SCC of each pair of streams (shapes broadcast)."""
    p_a, p_b = decode_unipolar(a), decode_unipolar(b)
    p_ab = decode_unipolar(sc_and(a, b))
    p_a, p_b = np.broadcast_arrays(p_a, p_b)
    delta = p_ab - p_a * p_b
    denominator = np.where(
        delta > 0, np.minimum(p_a, p_b) - p_a * p_b, p_a * p_b - np.maximum(p_a + p_b - 1.0, 0.0)
    )
    safe = np.where(denominator > 0, denominator, 1.0)
    return np.where(denominator > 0, delta / safe, 0.0)
