"""Optimisers over a list of ``Parameter`` objects (updated in place).

SGD with momentum:  ``m = mu m + (g + wd w);  w -= lr m``
Adam (decoupled weight decay, as AdamW when ``weight_decay > 0``)::

    m = b1 m + (1 - b1) g;   s = b2 s + (1 - b2) g^2
    w -= lr (m / (1 - b1^t)) / (sqrt(s / (1 - b2^t)) + eps) + lr wd w
"""

from __future__ import annotations

import numpy as np

from .modules.module import Parameter

__all__ = ["SGD", "Adam"]


class SGD:
    """Stochastic gradient descent with momentum and L2 weight decay."""

    def __init__(self, params: list[Parameter], lr: float = 0.1, momentum: float = 0.9,
                 weight_decay: float = 0.0):
        self.params, self.lr, self.momentum, self.weight_decay = params, lr, momentum, weight_decay
        self.velocity = [np.zeros_like(p.value) for p in params]

    def step(self) -> None:
        for p, m in zip(self.params, self.velocity):
            g = p.grad + self.weight_decay * p.value if self.weight_decay else p.grad
            m *= self.momentum
            m += g
            p.value -= self.lr * m

    def state(self) -> dict[str, np.ndarray]:
        return {f"velocity.{i}": m for i, m in enumerate(self.velocity)}

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        for i, m in enumerate(self.velocity):
            m[...] = state[f"velocity.{i}"]


class Adam:
    """Adam with bias correction and decoupled weight decay."""

    def __init__(self, params: list[Parameter], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0):
        self.params, self.lr, self.betas, self.eps, self.weight_decay = params, lr, betas, eps, weight_decay
        self.m = [np.zeros_like(p.value) for p in params]
        self.s = [np.zeros_like(p.value) for p in params]
        self.t = 0

    def step(self) -> None:
        b1, b2 = self.betas
        self.t += 1
        c1, c2 = 1 - b1**self.t, 1 - b2**self.t
        for p, m, s in zip(self.params, self.m, self.s):
            g = p.grad
            m *= b1
            m += (1 - b1) * g
            s *= b2
            s += (1 - b2) * g * g
            if self.weight_decay:
                p.value -= self.lr * self.weight_decay * p.value
            p.value -= (self.lr / c1) * m / (np.sqrt(s / c2) + self.eps)

    def state(self) -> dict[str, np.ndarray]:
        out = {f"m.{i}": m for i, m in enumerate(self.m)}
        out.update({f"s.{i}": s for i, s in enumerate(self.s)})
        out["t"] = np.array(self.t)
        return out

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        for i, (m, s) in enumerate(zip(self.m, self.s)):
            m[...] = state[f"m.{i}"]
            s[...] = state[f"s.{i}"]
        self.t = int(state["t"])
