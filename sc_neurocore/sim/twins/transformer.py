"""Integer simulation of a trained ``SpikingTransformer`` in the hardware's arithmetic.

Every ``Linear -> LIF`` pair works as in ``FixedMLP``: 8-bit weights on a power-of-two grid
``q = 2^-f`` chosen per layer, a 16-bit membrane on the same grid, ``v -= (k_int v) >> 16`` (floor),
``v = sat16(v + I + b)``, ``s = v > theta``, reset to 0. Per time step ``t``, token ``i``::

    p      = round(x 2^f_in)                                   (pixels, f_in = 4 holds the digits exactly)
    S      = LIF((W_e p) >> f_in + b_e + pe_i)                 (pe rounded to the embedding grid)
    Q,K,V  = LIF(W_{q,k,v} R)                                  (R: residual spike counts, small integers)
    A_h    = popcount(Q_h AND K_h)                             (per head, token pair)
    Z      = LIF_a((A_h V_h) << (f_a - s))                     (scale = 2^-s: a shift onto the grid 2^-f_a)
    R1     = R + LIF(W_out Z + b_out)                          (counts 0..2 for depth 1)
    R2     = R1 + LIF(W_2 LIF(W_1 R1 + b_1) + b_2)
    logits = sum_t W_head R2[t] + T b_head                     (= T 2^f_head x the float logits; argmax kept)

With quantisation-aware training switched on (``SpikingTransformer.set_quant``) the float model's
forward pass computes these numbers on a float grid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sc_neurocore.errors import UnsupportedError
from sc_neurocore.models.attention import split_heads
from sc_neurocore.models.fixed_point import fixed_lif_multistep

from .quant import QuantSpec, frac_bits_for, quantise_leak, quantise_weight

__all__ = ["FixedLIF", "FixedAffine", "FixedSSA", "FixedBlock", "FixedTransformer",
           "attention_frac_bits", "scale_shift", "lif_steps"]


@dataclass(frozen=True)
class FixedLIF:
    """Integer LIF parameters on the grid ``2^-frac_bits``."""

    leak: np.ndarray        # (n,) int64, k_int = round(dt/tau 2^16)
    threshold: np.ndarray   # (n,) int64
    frac_bits: int


@dataclass(frozen=True)
class FixedAffine:
    """One ``Linear -> LIF`` pair: integer weights (n_out, n_in), bias on the membrane grid."""

    weight: np.ndarray
    bias: np.ndarray        # (n_out,) int64, or (L, n_out) for the embedding (bias + position code)
    lif: FixedLIF


@dataclass(frozen=True)
class FixedSSA:
    q: FixedAffine
    k: FixedAffine
    v: FixedAffine
    attn: FixedLIF          # LIF_a on the grid 2^-f_a
    scale_shift: int        # scale = 2^-scale_shift
    out: FixedAffine
    heads: int


@dataclass(frozen=True)
class FixedBlock:
    attention: FixedSSA
    fc1: FixedAffine
    fc2: FixedAffine


def lif_steps(current: np.ndarray, lif: FixedLIF, spec: QuantSpec) -> np.ndarray:
    """Integer LIF over ``(T, ...)`` currents on the membrane grid; returns int64 spikes."""
    spikes, _ = fixed_lif_multistep(current, lif.leak, lif.threshold, leak_bits=spec.leak_bits,
                                    state_bits=spec.state_bits)
    return spikes


def scale_shift(scale: float) -> int:
    """``s`` with ``scale = 2^-s``; the hardware applies the attention scale as a shift."""
    s = -np.log2(scale) if scale > 0 else np.nan
    if not np.isfinite(s) or s != round(s) or s < 0:
        raise UnsupportedError(f"attention scale {scale} is not 2^-s for an integer s >= 0; the hardware shifts")
    return int(round(s))


def attention_frac_bits(tokens: int, head_dim: int, shift: int, threshold: np.ndarray, spec: QuantSpec) -> int:
    """Grid of ``LIF_a``: the finest that holds twice the peak current ``L d 2^-s`` and the threshold."""
    peak = max(2.0 * tokens * head_dim * 2.0**-shift, float(np.max(np.abs(threshold))))
    return max(shift, int(np.floor(np.log2(spec.state_range[1] / peak))))


def _float_lif(neuron) -> tuple[np.ndarray, np.ndarray]:
    """The float leak and threshold of a ``TrainableLIF`` (without any quantisation-aware rounding)."""
    saved, neuron.quant = neuron.quant, None
    k, theta = neuron.leak(), neuron.theta()
    neuron.quant = saved
    return k, theta


def _lif(neuron, frac_bits: int, spec: QuantSpec) -> FixedLIF:
    k, theta = _float_lif(neuron)
    return FixedLIF(quantise_leak(k, spec), np.round(theta.astype(np.float64) * 2.0**frac_bits).astype(np.int64),
                    frac_bits)


def _affine(linear, neuron, spec: QuantSpec, extra_bias: np.ndarray | None = None) -> FixedAffine:
    """A ``TrainableLinear`` and its ``TrainableLIF`` as integers on the linear's power-of-two grid."""
    w = linear.weight.value
    f = frac_bits_for(w, spec)
    b = np.zeros(w.shape[0]) if linear.bias is None else linear.bias.value.astype(np.float64)
    if extra_bias is not None:
        b = b + extra_bias.astype(np.float64)
    return FixedAffine(quantise_weight(w, f, spec), np.round(b * 2.0**f).astype(np.int64), _lif(neuron, f, spec))


def _product(x: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """``x W^T`` over any leading axes, exact in int64."""
    return (x.reshape(-1, x.shape[-1]) @ weight.T).reshape(*x.shape[:-1], weight.shape[0])


@dataclass(frozen=True)
class FixedTransformer:
    """The integer twin of a ``SpikingTransformer``; ``run`` returns integer logits."""

    embed: FixedAffine
    blocks: tuple[FixedBlock, ...]
    head_weight: np.ndarray     # (classes, L*D) int64
    head_bias: np.ndarray       # (classes,) int64 on the head grid
    head_frac_bits: int
    tokens: int
    token_dim: int
    input_frac_bits: int
    spec: QuantSpec

    @classmethod
    def from_model(cls, model, spec: QuantSpec = QuantSpec(),
                   input_frac_bits: int = 4) -> "FixedTransformer":
        """Quantise the float parameters of ``model`` (a :class:`sc_neurocore.training.SpikingTransformer`)
        to the hardware formats."""
        if model.attention_kind != "ssa":
            raise UnsupportedError(f"the FPGA transformer engine supports attention 'ssa' only, "
                                   f"not '{model.attention_kind}'")
        embed = _affine(model.embed, model.embed_lif, spec, extra_bias=model.position.code)
        blocks = []
        for block in model.blocks:
            a = block.attention
            shift = scale_shift(a.scale)
            _, theta = _float_lif(a.attn_lif)
            f_a = attention_frac_bits(model.n_tokens, a.embed_dim // a.num_heads, shift, theta, spec)
            blocks.append(FixedBlock(
                FixedSSA(_affine(a.W_q, a.q_lif, spec), _affine(a.W_k, a.k_lif, spec),
                               _affine(a.W_v, a.v_lif, spec), _lif(a.attn_lif, f_a, spec), shift,
                               _affine(a.W_out, a.out_lif, spec), a.num_heads),
                _affine(block.fc1, block.lif1, spec), _affine(block.fc2, block.lif2, spec)))
        w = model.head.weight.value
        f = frac_bits_for(w, spec)
        return cls(embed, tuple(blocks), quantise_weight(w, f, spec),
                   np.round(model.head.bias.value.astype(np.float64) * 2.0**f).astype(np.int64), f,
                   model.n_tokens, model.token_dim, input_frac_bits, spec)

    def _layer(self, x: np.ndarray, layer: FixedAffine) -> np.ndarray:
        return lif_steps(_product(x, layer.weight) + layer.bias, layer.lif, self.spec)

    def trace(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """Every integer signal for ``(T, B, L*P)`` or ``(T, B, L, P)`` input in ``[0, 1]``.

        Spikes and counts are ``(T, B, L, n)``; ``score`` is ``(T, B, H, L, L)``; ``logits`` ``(B, classes)``.
        Block signals carry the block index, e.g. ``q0``, ``r1_0``.
        """
        steps, batch = x.shape[:2]
        pixels = np.round(np.asarray(x, np.float64).reshape(steps, batch, self.tokens, self.token_dim)
                          * 2.0**self.input_frac_bits).astype(np.int64)
        current = (_product(pixels, self.embed.weight) >> self.input_frac_bits) + self.embed.bias
        r = lif_steps(current, self.embed.lif, self.spec)
        out = {"embed": r}
        for n, block in enumerate(self.blocks):
            att = block.attention
            q, k, v = (self._layer(r, layer) for layer in (att.q, att.k, att.v))
            score = split_heads(q, att.heads) @ split_heads(k, att.heads).swapaxes(-1, -2)  # (T, B, H, L, L) popcounts
            gated = (score @ split_heads(v, att.heads)).swapaxes(-2, -3).reshape(v.shape)  # V rows added under the counts
            z = lif_steps(gated << (att.attn.frac_bits - att.scale_shift), att.attn, self.spec)
            o = self._layer(z, att.out)
            r1 = r + o
            h = self._layer(r1, block.fc1)
            m = self._layer(h, block.fc2)
            r = r1 + m
            out.update({f"q{n}": q, f"k{n}": k, f"v{n}": v, f"score{n}": score, f"z{n}": z, f"o{n}": o,
                        f"r1_{n}": r1, f"h{n}": h, f"m{n}": m, f"r2_{n}": r})
        flat = r.reshape(steps, batch, -1)
        out["logits"] = _product(flat, self.head_weight).sum(axis=0) + steps * self.head_bias
        return out

    def run(self, x: np.ndarray) -> np.ndarray:
        """``(T, B, L*P)`` input -> ``(B, classes)`` integer logits."""
        return self.trace(x)["logits"]

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Predicted classes (first maximum on ties, like the float model)."""
        return self.run(x).argmax(axis=1)
