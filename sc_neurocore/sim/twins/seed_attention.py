"""Integer twin of :class:`SpikeDrivenAttention`: exactly what the attention RTL computes.

Per head ``h``, time step ``t``, query ``i`` and head dimension ``c``::

    x_q = round(x 2^fx), W_q = round(W 2^fw)                  power-of-two scales, saturated
    P = x_q W_q                                               integer drives (one per Q, K, V)
    IF: v += P; s = [v >= theta]; v -= s theta                theta = round(T * threshold * 2^(fx+fw))
    V spikes: sign(P) * IF(|P|)                               ternary
    A[i, j] = popcount(Q_t[h, i] AND K_t[h, j])
    y_t[h, i, c] = sum_j A[i, j] V_t[h, j, c]                 additions / subtractions only
    u += y_t; o_t = [u >= theta_out]; u -= o_t theta_out      output IF neurons (membrane u)

The float model's ``acc`` is ``sum_t y_t`` (heads merged): when the Q/K/V spikes agree, it agrees
exactly. :func:`attention_formats` sizes every register so that nothing can overflow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sc_neurocore.errors import InputError
from sc_neurocore.models.attention import head_product, merge_heads, split_heads
from sc_neurocore.models.fixed_point import fixed_lif_multistep, power_of_two_shift, quantise_power_of_two, signed_bits
from sc_neurocore.transformers.spec import AttentionSpec
from sc_neurocore.transformers.spikformer import SpikeDrivenAttention

__all__ = [
    "AttentionFormats",
    "ProjectionFormats",
    "FixedAttention",
    "AttentionRun",
    "attention_formats",
    "projection_formats",
    "seed_input",
    "input_shift",
    "attention_spec_for",
    "quantise_attention",
    "qkv_drives",
    "qkv_spikes",
    "attention_step",
    "run_attention_core",
    "quantisation_report",
]


@dataclass(frozen=True)
class AttentionFormats:
    """Signed bit widths of the core: popcount ``pb`` (unsigned), step sum ``yb``, membrane ``ab``."""

    pb: int
    yb: int
    ab: int


def attention_formats(spec: AttentionSpec) -> AttentionFormats:
    """Widths from the worst case: |y| <= tokens * head_dim; u spans T steps of negative y."""
    span = spec.tokens * spec.head_dim
    return AttentionFormats(
        pb=spec.head_dim.bit_length(),
        yb=signed_bits(-span, span),
        ab=signed_bits(-spec.T * span, spec.output_threshold - 1 + span),
    )


@dataclass(frozen=True)
class ProjectionFormats:
    """Widths of the projection unit: signed drive ``db``, unsigned Q/K/V membrane ``vb``."""

    db: int
    vb: int


def projection_formats(fixed: "FixedAttention") -> ProjectionFormats:
    """|P| <= D 2^(in_bits-1) 2^(weight_bits-1); the IF membrane reaches at most T |P| before its
    subtraction and must also hold every threshold."""
    spec = fixed.spec
    peak = spec.embed_dim << (spec.in_bits + spec.weight_bits - 2)
    return ProjectionFormats(
        db=signed_bits(-peak, peak),
        vb=max(spec.T * peak, *fixed.theta.values()).bit_length(),
    )


@dataclass(frozen=True)
class FixedAttention:
    """Quantised input and projections; ``theta`` holds the integer IF threshold of q, k and v."""

    spec: AttentionSpec
    model: SpikeDrivenAttention
    x: np.ndarray  # [N, D] float input
    x_int: np.ndarray
    w_int: dict[str, np.ndarray]
    theta: dict[str, int]
    x_shift: int = 0  # x_q = round(x 2^x_shift): the scale a host must quantise its input with


def seed_input(spec: AttentionSpec) -> np.ndarray:
    """The layer's reproducible input rates in [0, 1): ``[tokens, embed_dim]`` from ``seed + 1``."""
    return np.random.default_rng(spec.seed + 1).random((spec.tokens, spec.embed_dim))


def input_shift(spec: AttentionSpec, peak: float) -> int:
    """The input scale ``2^shift`` of a layer whose largest input is `peak` (1.0: rates in [0, 1])."""
    if not (isinstance(peak, (int, float)) and 0 < peak < float("inf")):
        raise InputError(f"the input peak must be a positive finite number, got {peak!r}")
    return power_of_two_shift(np.array([peak]), spec.in_bits)


def attention_spec_for(model: SpikeDrivenAttention, **hardware) -> AttentionSpec:
    """The spec of `model`'s own layer (its shape, T, threshold and seed); `hardware` sets the rest
    (tokens, lanes, in_bits, weight_bits, out_threshold)."""
    return AttentionSpec(embed_dim=model.embed_dim, num_heads=model.num_heads, T=model.T,
                         threshold=float(model.threshold), seed=int(model.seed), **hardware)


def _check_model(spec: AttentionSpec, model: SpikeDrivenAttention) -> None:
    square = (spec.embed_dim, spec.embed_dim)
    wrong = [f"{name} {np.shape(getattr(model, name))} (spec: {square})" for name in ("W_q", "W_k", "W_v")
             if np.shape(getattr(model, name)) != square]
    wrong += [f"{name} {getattr(model, name)!r} (spec: {getattr(spec, name)!r})"
              for name in ("num_heads", "T", "threshold") if getattr(model, name) != getattr(spec, name)]
    if wrong:
        raise InputError(f"the attention model does not fit its spec: {', '.join(wrong)}")


def quantise_attention(spec: AttentionSpec, x: np.ndarray | None = None, model: SpikeDrivenAttention | None = None,
                       x_shift: int | None = None) -> FixedAttention:
    """The float model of `spec` (weights from its seed, or the given `model` of the same shape, see
    :func:`attention_spec_for`) and its integer twin for input `x` (default: the seed input),
    quantised at ``2^x_shift`` (default: the largest scale that holds `x`'s peak). The IF thresholds
    follow that scale, so every input of one build must be quantised at the same one."""
    if model is None:
        model = SpikeDrivenAttention(spec.embed_dim, spec.num_heads, spec.T, float(spec.threshold), spec.seed)
    _check_model(spec, model)
    x = seed_input(spec) if x is None else np.asarray(x, dtype=np.float64)
    x_int, fx = quantise_power_of_two(x, spec.in_bits, x_shift)
    w_int, theta = {}, {}
    for name, weight in (("q", model.W_q), ("k", model.W_k), ("v", model.W_v)):
        w_int[name], fw = quantise_power_of_two(np.asarray(weight, dtype=np.float64), spec.weight_bits)
        theta[name] = max(1, int(round(spec.T * spec.threshold * 2.0 ** (fx + fw))))
    return FixedAttention(spec, model, x, x_int, w_int, theta, fx)


def _integrate_and_fire(drive: np.ndarray, steps: int, theta: int) -> np.ndarray:
    """Integer IF with reset by subtraction under a constant drive; int8 spikes ``[steps, ...]``."""
    constant = np.broadcast_to(drive, (steps,) + drive.shape)
    spikes, _ = fixed_lif_multistep(constant, 0, theta, spike_ge=True, reset_subtract=True)
    return spikes.astype(np.int8)


def qkv_drives(fixed: FixedAttention) -> dict[str, np.ndarray]:
    """The integer drives ``P = x_q W_q`` of q, k and v, each ``[H, N, DH]`` int64."""
    return {name: split_heads(fixed.x_int @ w, fixed.spec.num_heads) for name, w in fixed.w_int.items()}


def qkv_spikes(fixed: FixedAttention) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Binary Q, K and ternary V spikes, each ``[T, H, N, DH]`` int8."""
    spec = fixed.spec
    drive = qkv_drives(fixed)
    q = _integrate_and_fire(np.maximum(drive["q"], 0), spec.T, fixed.theta["q"])
    k = _integrate_and_fire(np.maximum(drive["k"], 0), spec.T, fixed.theta["k"])
    v = _integrate_and_fire(np.abs(drive["v"]), spec.T, fixed.theta["v"]) * np.sign(drive["v"]).astype(np.int8)
    return q, k, v


def attention_step(q: np.ndarray, k: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``y[..., h, i, c] = sum_j popcount(Q[h, i] AND K[h, j]) V[h, j, c]`` in int64."""
    return head_product(q.astype(np.int64), k.astype(np.int64), v.astype(np.int64))  # exact: any order


@dataclass(frozen=True)
class AttentionRun:
    """One run of the core: per-step sums ``y``, membranes ``u`` (after reset) and output spikes,
    each ``[T, H, N, DH]``; ``acc`` is ``sum_t y`` with heads merged, ``[N, D]``."""

    y: np.ndarray
    u: np.ndarray
    spikes: np.ndarray
    acc: np.ndarray


def run_attention_core(q: np.ndarray, k: np.ndarray, v: np.ndarray, out_threshold: int) -> AttentionRun:
    """The attention core and its output IF neurons over all time steps."""
    y = attention_step(q, k, v)
    spikes, u_all = fixed_lif_multistep(y, 0, out_threshold, spike_ge=True, reset_subtract=True)
    return AttentionRun(y, u_all, spikes.astype(np.int8), merge_heads(y.sum(axis=0)))


def quantisation_report(fixed: FixedAttention) -> dict:
    """What quantisation costs: Q/K/V and output spike agreement, and the ``acc`` error, vs float."""
    spec = fixed.spec
    fixed.model.forward(fixed.x)
    last = fixed.model._last
    float_qkv = [np.asarray(last[name][:, 0], dtype=np.int64) for name in ("q", "k", "v")]
    int_qkv = qkv_spikes(fixed)
    theta_out = spec.output_threshold
    float_run = run_attention_core(*float_qkv, theta_out)
    int_run = run_attention_core(*int_qkv, theta_out)
    float_acc = np.asarray(last["acc"][0])
    scale = max(float(np.abs(float_acc).max()), 1.0)
    report = {f"{name}_spike_agreement": float(np.mean(a == b)) for name, a, b in zip("qkv", float_qkv, int_qkv)}
    report.update(
        {f"{name}_rate": float(np.mean(np.abs(a))) for name, a in zip("qkv", int_qkv)},
        output_spike_agreement=float(np.mean(float_run.spikes == int_run.spikes)),
        acc_exact_fraction=float(np.mean(float_acc == int_run.acc)),
        acc_max_abs_error_relative=float(np.abs(float_acc - int_run.acc).max() / scale),
        theta=dict(fixed.theta),
    )
    return report
