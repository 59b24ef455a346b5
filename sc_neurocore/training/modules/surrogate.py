"""Surrogate gradients: a Heaviside forward with a smooth stand-in for its derivative.

A spike is ``s = H(x)`` with ``x = v - theta`` and ``H(x) = 1 if x > 0 else 0`` (strict, as in NIR).
The backward pass replaces ``dH/dx`` (zero almost everywhere) by ``g(x)``:

==================  ==========================================================
atan (alpha=2)      g(x) = (alpha/2) / (1 + (pi/2 * alpha * x)^2)
fast sigmoid (k)    g(x) = 1 / (1 + k|x|)^2
sigmoid (k)         g(x) = k * sig(kx) * (1 - sig(kx))
triangle (w)        g(x) = max(0, 1 - |x|/w) / w
straight-through    g(x) = 1
==================  ==========================================================

Each surrogate also knows its primitive ``G`` (with ``G' = g``). ``relaxed()`` returns the same
surrogate with ``G`` as its forward: soft spikes whose exact gradient is ``g``. Gradient tests use it
to compare the BPTT code against finite differences.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from sc_neurocore.models.lif import heaviside

__all__ = [
    "Surrogate",
    "atan_surrogate",
    "fast_sigmoid_surrogate",
    "sigmoid_surrogate",
    "triangle_surrogate",
    "straight_through_surrogate",
    "SURROGATES",
]


@dataclass(frozen=True)
class Surrogate:
    """A spike function: ``forward`` (Heaviside, or ``G`` when relaxed) and ``derivative`` g."""

    kind: str
    scale: float
    relaxed_forward: bool = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Spikes ``H(x)`` as 0/1 in the dtype of ``x`` (or ``G(x)`` when relaxed)."""
        if self.relaxed_forward:
            return self.primitive(x)
        return heaviside(x)

    def derivative(self, x: np.ndarray) -> np.ndarray:
        """The surrogate ``g(x)`` that stands in for ``dH/dx``."""
        a = self.scale
        if self.kind == "atan":
            return (a / 2) / (1 + (np.pi / 2 * a * x) ** 2)
        if self.kind == "fast_sigmoid":
            return 1 / (1 + a * np.abs(x)) ** 2
        if self.kind == "sigmoid":
            sig = 1 / (1 + np.exp(-a * x))
            return a * sig * (1 - sig)
        if self.kind == "triangle":
            return np.maximum(0, 1 - np.abs(x) / a) / a
        return np.ones_like(x)

    def primitive(self, x: np.ndarray) -> np.ndarray:
        """``G(x)`` with ``G' = g``, shifted so that ``G(-inf) = 0`` where that is finite."""
        a = self.scale
        if self.kind == "atan":
            return np.arctan(np.pi / 2 * a * x) / np.pi + 0.5
        if self.kind == "fast_sigmoid":
            return x / (1 + a * np.abs(x))
        if self.kind == "sigmoid":
            return 1 / (1 + np.exp(-a * x))
        if self.kind == "triangle":
            y = np.clip(x / a, -1, 1)
            return np.where(y < 0, (1 + y) ** 2 / 2, 1 - (1 - y) ** 2 / 2)
        return x.copy()

    def relaxed(self) -> "Surrogate":
        """The same surrogate whose forward is the smooth primitive ``G``."""
        return replace(self, relaxed_forward=True)


def atan_surrogate(alpha: float = 2.0) -> Surrogate:
    """Arctangent surrogate, ``g(x) = (alpha/2) / (1 + (pi/2 alpha x)^2)``."""
    return Surrogate("atan", float(alpha))


def fast_sigmoid_surrogate(slope: float = 25.0) -> Surrogate:
    """Fast sigmoid, ``g(x) = 1 / (1 + k|x|)^2``."""
    return Surrogate("fast_sigmoid", float(slope))


def sigmoid_surrogate(slope: float = 5.0) -> Surrogate:
    """Logistic sigmoid, ``g(x) = k sig(kx)(1 - sig(kx))``."""
    return Surrogate("sigmoid", float(slope))


def triangle_surrogate(width: float = 1.0) -> Surrogate:
    """Triangle, ``g(x) = max(0, 1 - |x|/w) / w``."""
    return Surrogate("triangle", float(width))


def straight_through_surrogate() -> Surrogate:
    """Straight-through estimator, ``g(x) = 1``."""
    return Surrogate("straight_through", 1.0)


# name -> factory, for configuration files
SURROGATES = {
    "atan": atan_surrogate,
    "fast_sigmoid": fast_sigmoid_surrogate,
    "sigmoid": sigmoid_surrogate,
    "triangle": triangle_surrogate,
    "straight_through": straight_through_surrogate,
}
