"""A small spiking transformer classifier: tokens -> CPG position (phase chain) -> [SSA + MLP] x depth -> readout.

Input ``(T, B, L, P)`` (L tokens of P features, e.g. the rows of an image)::

    S0 = LIF(x W_embed^T + b + pe)                       (CPG position currents)
    S  = S + ATT(S);   S = S + LIF(LIF(S W_1^T) W_2^T)   (residuals add spike counts)
    logits = (1/T) sum_t flatten(S[t]) W_head^T + b      (tokens concatenated: rows keep their place)

``ATT`` is SSA (default), SDSA or A²OS²A (``attention=``, see :data:`ATTENTIONS`). Every block is a
module with its own backward pass; the residual adds the two gradients.
"""

from __future__ import annotations

import numpy as np

from sc_neurocore.errors import InputError
from sc_neurocore.models.cpg import phase_chain_code
from sc_neurocore.models.mlp import spiking_mlp

from .attention import TrainableSpikformerSSA
from .attention_variants import TrainableA2OS2A, TrainableSDSA
from .layers import AddPosition, TrainableLinear
from .module import Module
from .neurons import TrainableLIF
from .surrogate import Surrogate

__all__ = ["ATTENTIONS", "SpikingTransformer"]

ATTENTIONS = ("ssa", "sdsa", "a2os2a")


def _attention(kind: str, dim: int, heads: int, rng: np.random.Generator, kw: dict) -> Module:
    if kind == "ssa":
        return TrainableSpikformerSSA(dim, heads, rng=rng, **kw)
    if kind == "sdsa":  # channel-wise: no heads, no scale
        return TrainableSDSA(dim, rng=rng, **{k: v for k, v in kw.items() if k != "scale"})
    if kind == "a2os2a":
        return TrainableA2OS2A(dim, heads, rng=rng, **kw)
    raise InputError(f"attention '{kind}' is not one of {', '.join(ATTENTIONS)}")


class _Block(Module):
    """``S + ATT(S)`` then ``S + MLP(S)``."""

    def __init__(self, dim: int, heads: int, hidden: int, rng: np.random.Generator, kw: dict,
                 attention: str = "ssa"):
        self.attention = _attention(attention, dim, heads, rng, kw)
        dtype = kw["dtype"]
        self.fc1 = TrainableLinear(dim, hidden, rng=rng, gain=2.0, dtype=dtype)
        self.lif1 = TrainableLIF(hidden, tau=kw["tau"], learn_threshold=kw["learn_threshold"],
                        surrogate=kw["surrogate"], dtype=dtype)
        self.fc2 = TrainableLinear(hidden, dim, rng=rng, gain=2.0, dtype=dtype)
        self.lif2 = TrainableLIF(dim, tau=kw["tau"], learn_threshold=kw["learn_threshold"],
                        surrogate=kw["surrogate"], dtype=dtype)

    def forward(self, s: np.ndarray) -> np.ndarray:
        s = s + self.attention.forward(s)
        _, mlp = spiking_mlp(s, [(self.fc1.forward, self.lif1.forward), (self.fc2.forward, self.lif2.forward)])
        return s + mlp

    def backward(self, grad: np.ndarray) -> np.ndarray:
        grad = grad + self.fc1.backward(self.lif1.backward(self.fc2.backward(self.lif2.backward(grad))))
        return grad + self.attention.backward(grad)


class SpikingTransformer(Module):
    """Spiking transformer over ``(T, B, L, P)`` tokens; ``forward -> logits (B, classes)``.

    Flat input ``(T, B, L*P)`` is split into ``L`` consecutive tokens (an image's rows).
    """

    def __init__(self, n_tokens: int, token_dim: int, n_classes: int, *, dim: int = 64, heads: int = 4,
                 depth: int = 1, mlp_ratio: int = 2, tau: float = 2.0, attn_scale: float = 0.125,
                 learn_threshold: bool = True, surrogate: Surrogate | None = None, seed: int = 0,
                 attention: str = "ssa", dtype=np.float32):
        rng = np.random.default_rng(seed)
        self.n_tokens, self.token_dim, self.attention_kind = n_tokens, token_dim, attention
        kw = dict(tau=tau, learn_threshold=learn_threshold, surrogate=surrogate, dtype=dtype)
        self.embed = TrainableLinear(token_dim, dim, rng=rng, gain=2.0, dtype=dtype)
        self.position = AddPosition(phase_chain_code(dim, n_tokens), dtype=dtype)
        self.embed_lif = TrainableLIF(dim, **kw)
        self.blocks = [_Block(dim, heads, dim * mlp_ratio, rng, dict(kw, scale=attn_scale), attention)
                       for _ in range(depth)]
        self.head = TrainableLinear(dim * n_tokens, n_classes, rng=rng, dtype=dtype)

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._in_shape = x.shape
        if x.ndim == 3:  # flat features: split into tokens of token_dim
            x = x.reshape(x.shape[0], x.shape[1], self.n_tokens, self.token_dim)
        s = self.embed_lif.forward(self.position.forward(self.embed.forward(x)))
        for block in self.blocks:
            s = block.forward(s)
        self._shape = s.shape
        rates = s.mean(axis=0).reshape(s.shape[1], -1)  # spike rate per token and feature, (B, L*D)
        return self.head.forward(rates)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        g_rates = self.head.backward(grad).reshape(self._shape[1:]) / self._shape[0]
        g = np.broadcast_to(g_rates, self._shape).copy()
        for block in reversed(self.blocks):
            g = block.backward(g)
        g = self.embed.backward(self.position.backward(self.embed_lif.backward(g)))
        return g.reshape(self._in_shape)
