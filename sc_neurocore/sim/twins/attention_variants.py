"""Integer twins of the attention cores of Spikformer SSA, SDSA and A²OS²A: exactly what the RTL computes.

Only the core between the projections: Q/K/V spikes in (``[T, N, D]``, one batch element), attention
spikes out. Per head (SSA, A²OS²A; channel ``c`` belongs to head ``c // d``), linear ``K^T V`` order::

    KV[h, a, c] = sum_n K[n, a] V[n, c]     SSA: popcount of K AND V (d x d counts per head)
                                            A²OS²A: add K[n, a] where V = +1, subtract where V = -1
    y[n, c]     = sum_a Q[n, a] KV[h, a, c] Q gates additions of KV rows
    A           = LIF(y)

SDSA, per channel: ``count[c] = sum_n K[n, c] AND V[n, c]``; ``kv = LIF(count)``; ``out = Q AND kv``.

The LIF (tau 2, hard reset to 0, ``h = v + (x - v) / 2 = (v + x) / 2``) keeps its membrane with
``frac_bits`` (F) fractional bits and halves by an arithmetic right shift::

    H = (U + (x << F)) >> 1        floor: rounds toward minus infinity, dropping one bit per step
    s = [H >= TH]; U' = 0 if s else H,   TH = threshold * 2^F (an integer)

From a zero membrane the float ``h`` has at most one more fractional bit per step, so with
``frac_bits >= T`` the twin is exact (the same spikes as the float model on the same Q/K/V); with
fewer bits the twin's membrane is below the float one by less than ``2^-F`` while their spikes agree.
A²OS²A's real ``K >= 0`` is quantised to ``k_bits`` unsigned bits with a power-of-two scale ``2^fk``;
its threshold becomes ``v_th * 2^fk`` in those units.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from sc_neurocore.errors import InputError, UnsupportedError
from sc_neurocore.models.attention import spiking_attention
from sc_neurocore.models.fixed_point import fixed_lif_multistep, quantise_power_of_two, signed_bits
from sc_neurocore.models.lif import lif_multistep
from sc_neurocore.models.sdsa import sdsa_attention
from sc_neurocore.transformers.a2os2a import AdditionOnlyAttention
from sc_neurocore.transformers.sdsa import SpikeDrivenSelfAttention
from sc_neurocore.transformers.spec import VARIANTS, VariantSpec
from sc_neurocore.transformers.ssa import SpikformerSSA

__all__ = [
    "VARIANTS",
    "VariantSpec",
    "VariantFormats",
    "VariantStimulus",
    "VariantRun",
    "variant_formats",
    "lif_tau2",
    "build_model",
    "model_qkv",
    "random_qkv",
    "variant_stimulus",
    "run_variant",
    "float_attention",
    "quantisation_report",
]

@dataclass(frozen=True)
class VariantFormats:
    """Register widths from the worst case: ``kb`` unsigned K bits (1: binary K), signed ``kvb`` for
    a K^T V entry (SDSA: the channel count), signed ``yb`` for the LIF input, signed ``ab`` membrane."""

    kb: int
    kvb: int
    yb: int
    ab: int


def variant_formats(spec: VariantSpec, theta: int) -> VariantFormats:
    """Widths that cannot overflow for any Q/K/V of `spec`; `theta` is the LIF's TH (membrane units)."""
    n, d = spec.tokens, spec.head_dim
    if spec.variant == "sdsa":
        kb, kv_low, kv_high = 1, 0, n
        y_low, y_high = kv_low, kv_high
    else:
        kb = spec.k_bits if spec.variant == "a2os2a" else 1
        k_max = (1 << kb) - 1
        kv_high = n * k_max
        kv_low = -kv_high if spec.variant == "a2os2a" else 0
        y_low, y_high = d * kv_low, d * kv_high
    # u = floor((u + y 2^F) / 2) stays within [y_low 2^F, max(TH, y_high 2^F)]
    low = y_low << spec.frac_bits
    high = max(theta, y_high << spec.frac_bits)
    return VariantFormats(kb, signed_bits(kv_low, kv_high), signed_bits(y_low, y_high), signed_bits(low, high))


def lif_tau2(x: np.ndarray, theta: int, frac_bits: int) -> tuple[np.ndarray, np.ndarray]:
    """Integer LIF, tau 2, hard reset to 0, over time (axis 0) of the integer drive `x`.

    ``H = (U + (x << F)) >> 1`` (floor); ``s = [H >= theta]``; ``U' = 0 if s else H``. Returns
    int8 spikes and the int64 membranes ``U'`` (after the reset) of every step.
    """
    # (u + x') >> 1 = u + ((x' - u) >> 1): the decay-input form with k = 1/2
    spikes, membranes = fixed_lif_multistep(np.asarray(x, np.int64) << frac_bits, 1, theta, leak_bits=1,
                                            decay_input=True, spike_ge=True)
    return spikes.astype(np.int8), membranes


@dataclass(frozen=True)
class VariantStimulus:
    """What the RTL is fed: Q (binary), K (binary, or A²OS²A's quantised K >= 0), V (binary, or ternary
    for A²OS²A), each ``[T, N, D]`` int64; ``theta`` the LIF threshold in membrane units,
    ``k_shift`` the power-of-two scale of K (K_int = round(K 2^k_shift))."""

    q: np.ndarray
    k: np.ndarray
    v: np.ndarray
    theta: int
    k_shift: int = 0


def _threshold_units(spec: VariantSpec, threshold: float, k_shift: int) -> int:
    scaled = threshold * 2.0 ** (spec.frac_bits + k_shift)
    if scaled != np.floor(scaled) or scaled < 1:
        raise InputError(
            f"the {spec.variant} threshold {threshold} is not a positive multiple of 2^-{spec.frac_bits + k_shift}: "
            f"raise frac_bits (now {spec.frac_bits})"
        )
    return int(scaled)


def build_model(spec: VariantSpec):
    """The float model of `spec` (weights from its seed)."""
    if spec.variant == "ssa":
        return SpikformerSSA(spec.embed_dim, spec.num_heads, seed=spec.seed)
    if spec.variant == "sdsa":
        return SpikeDrivenSelfAttention(spec.embed_dim, seed=spec.seed)
    return AdditionOnlyAttention(spec.embed_dim, spec.num_heads, seed=spec.seed)


def _model_threshold(spec: VariantSpec, model) -> float:
    """The attention LIF threshold in the units of its input (SSA folds the scale into it)."""
    if model.tau != 2.0:
        raise UnsupportedError(f"the {spec.variant} core leaks by a shift: tau must be 2, got {model.tau}")
    if spec.variant == "ssa":
        return model.attn_v_threshold / model.scale
    if spec.variant == "sdsa":
        return model.kv_v_threshold
    return model.attn_v_threshold


def _calibrate(layers, x: np.ndarray) -> None:
    """Inference batch-norm statistics of `x` (as a trained block would hold): every channel's drive
    becomes ``gamma * N(0, 1) + beta``, so the seeded input makes Q, K and V spike."""
    for layer, gamma, beta in layers:
        drive = np.asarray(x, np.float64).reshape(-1, layer.in_dim) @ layer.weight
        layer.bn.mean, layer.bn.var = drive.mean(axis=0), drive.var(axis=0) + 1e-3
        layer.bn.gamma, layer.bn.beta = np.full(layer.out_dim, gamma), np.full(layer.out_dim, beta)


def model_qkv(spec: VariantSpec):
    """The float model with batch-norm calibrated on the seeded input ``[T, 1, N, D]`` (rates in
    [0, 1), ``seed + 1``), run forward. Returns ``(model, q, k, v, attention)``, each ``[T, N, D]``
    float32; for A²OS²A ``k`` is the real ReLU K."""
    x = np.random.default_rng(spec.seed + 1).random((spec.T, 1, spec.tokens, spec.embed_dim))
    model = build_model(spec)
    if spec.variant == "ssa":
        _calibrate([(model.qkv, 1.0, 1.0)], x)
    elif spec.variant == "sdsa":
        _calibrate([(layer, 1.0, 1.0) for layer in (model.q, model.k, model.v)], x)
    else:  # K is a ReLU, V a ternary neuron: zero-mean drives
        _calibrate([(model.q, 1.0, 1.0), (model.k, 1.0, 0.0), (model.v, 2.0, 0.0)], x)
    model.forward(x)
    s = model.last_spikes
    if spec.variant == "ssa":
        qkv = s["qkv"][:, 0]
        q, k, v = (qkv[..., i * spec.embed_dim : (i + 1) * spec.embed_dim] for i in range(3))
        return model, q, k, v, s["attn"][:, 0]
    out = s["gated"] if spec.variant == "sdsa" else s["attn"]
    return model, s["q"][:, 0], s["k"][:, 0], s["v"][:, 0], out[:, 0]


def random_qkv(spec: VariantSpec, rate: float = 0.4, seed: int | None = None):
    """Seeded random Q, K, V ``[T, N, D]`` float32: spikes at `rate`; V ternary and K real in [0, 2)
    for A²OS²A (the shapes and value sets the core accepts)."""
    rng = np.random.default_rng(spec.seed + 2 if seed is None else seed)
    shape = (spec.T, spec.tokens, spec.embed_dim)
    q, k = ((rng.random(shape) < rate).astype(np.float32) for _ in range(2))
    v = (rng.random(shape) < rate).astype(np.float32)
    if spec.variant == "a2os2a":
        k = (rng.random(shape) * 2 * (rng.random(shape) < 0.7)).astype(np.float32)
        v = v * rng.choice(np.array([-1.0, 1.0], np.float32), shape)
    return q, k, v


def variant_stimulus(spec: VariantSpec, q, k, v, model=None) -> VariantStimulus:
    """The core's integer inputs from float Q/K/V ``[T, N, D]``: A²OS²A's K quantised to ``k_bits``
    unsigned bits with a power-of-two scale from its peak; the threshold in membrane units."""
    threshold = _model_threshold(spec, build_model(spec) if model is None else model)
    k_shift = 0
    if spec.variant == "a2os2a":
        if np.min(k) < 0:
            raise InputError("A²OS²A K must be non-negative (the ReLU output)")
        k_int, k_shift = quantise_power_of_two(np.asarray(k, np.float64), spec.k_bits + 1)  # sign bit unused: K >= 0
    else:
        k_int = np.asarray(k, np.int64)
    return VariantStimulus(
        np.asarray(q, np.int64), k_int, np.asarray(v, np.int64), _threshold_units(spec, threshold, k_shift), k_shift
    )


@dataclass(frozen=True)
class VariantRun:
    """One run of a core. SSA / A²OS²A: ``y``, ``u``, ``spikes`` are ``[T, N, D]`` (the LIF input,
    its membrane after reset, its spikes) and ``out`` is ``spikes``. SDSA: ``y``, ``u``, ``spikes``
    are the channel neurons ``[T, D]`` and ``out`` the gated spikes ``Q AND kv`` ``[T, N, D]``."""

    y: np.ndarray
    u: np.ndarray
    spikes: np.ndarray
    out: np.ndarray


def run_variant(spec: VariantSpec, stimulus: VariantStimulus) -> VariantRun:
    """The core of `spec` on `stimulus`, in int64: what the RTL computes."""
    q, k, v = stimulus.q, stimulus.k, stimulus.v
    neuron = partial(lif_tau2, theta=stimulus.theta, frac_bits=spec.frac_bits)
    if spec.variant == "sdsa":
        gated, spikes, u, count = sdsa_attention(q, k, v, neuron)  # count: popcount of K AND V over tokens
        return VariantRun(count, u, spikes, gated.astype(np.int8))
    # K^T V first: the linear order, independent of N afterwards
    spikes, u, y = spiking_attention(q, k, v, spec.num_heads, neuron)
    return VariantRun(y, u, spikes, spikes)


def float_attention(spec: VariantSpec, model, q, k, v) -> np.ndarray:
    """The float model's attention core on given Q/K/V ``[T, N, D]``, in its own float32 expressions."""
    q, k, v = (np.asarray(a, np.float32) for a in (q, k, v))
    threshold = _model_threshold(spec, model)
    neuron = partial(lif_multistep, tau=model.tau, v_threshold=threshold, v_reset=0.0)
    if spec.variant == "sdsa":
        return sdsa_attention(q, k, v, neuron)[0]
    return spiking_attention(q, k, v, spec.num_heads, neuron)[0]


def quantisation_report(spec: VariantSpec) -> dict:
    """Output spike agreement of the twin with the float model: on the model's own Q/K/V (seeded
    input, calibrated batch-norm) and on seeded random Q/K/V; with the rates that make it mean something."""
    model, q, k, v, attention = model_qkv(spec)
    own_stimulus = variant_stimulus(spec, q, k, v, model)
    own = run_variant(spec, own_stimulus)
    rq, rk, rv = random_qkv(spec)
    rand = run_variant(spec, variant_stimulus(spec, rq, rk, rv, model))
    rand_float = float_attention(spec, model, rq, rk, rv)
    return {
        "variant": spec.variant,
        "frac_bits": spec.frac_bits,
        "k_bits": spec.k_bits if spec.variant == "a2os2a" else None,
        "theta": own_stimulus.theta,
        "qkv_rates": [float(np.mean(np.abs(a))) for a in (q, k > 0, v)],
        "model_qkv_output_spike_agreement": float(np.mean(own.out == attention)),
        "model_qkv_output_rate": float(np.mean(attention)),
        "random_qkv_output_spike_agreement": float(np.mean(rand.out == rand_float)),
        "random_qkv_output_rate": float(np.mean(rand_float)),
    }
