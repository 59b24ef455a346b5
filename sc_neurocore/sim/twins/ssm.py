"""Integer twin of :class:`SpikyStateSpace` (S4D-Real): exactly what the SSM RTL computes.

Per time step ``t``, state ``n`` and output ``m``::

    x_q = round(x 2^fx), B_q = round(Bb 2^fb), C_q = round(C 2^fc)    power-of-two scales, saturated
    a_q = round(Ab 2^FA)                                               ZOH decay in Q1.FA (< 1)
    u[n] = sum_m B_q[n, m] x_q[m]                                      scale 2^(fx + fb)
    h[n] = sat_HB(rnd(a_q[n] h[n] >> FA) + rnd(u[n] >> SU))            state scale 2^fh, SU = fx + fb - fh
    y[m] = sum_n C_q[m, n] h[n]                                        scale 2^(fh + fc)
    v += y; s = [v >= theta]; v -= s theta; v = sat_VB(v)              theta = round(threshold 2^(fh + fc))

``rnd(p >> k)`` is ``(p + 2^(k-1)) >> k`` (arithmetic shift; ``p`` for ``k = 0``). ``fh`` is calibrated
on the input: the largest scale that leaves ``HEADROOM`` times the float state's peak (the worst case
over all inputs wastes most of the bits); saturation keeps other inputs safe. ``h`` and ``v`` start at zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sc_neurocore.errors import InputError, UnsupportedError
from sc_neurocore.models.fixed_point import quantise_power_of_two, saturate, signed_bits
from sc_neurocore.models.ssm import discretize_zoh
from sc_neurocore.transformers.spec import SsmSpec
from sc_neurocore.transformers.ssm import SpikyStateSpace

__all__ = [
    "DECAY_BITS", "HEADROOM", "SsmFormats", "FixedSsm", "SsmRun", "seed_input", "ssm_spec_for", "quantise_ssm",
    "run_fixed_ssm", "ssm_report",
]

DECAY_BITS = 16  # a_q is a signed 16-bit SB_MAC16 operand: Q1.15
_FA = DECAY_BITS - 1
HEADROOM = 4.0


@dataclass(frozen=True)
class SsmFormats:
    """Scales (fraction bits) and signed widths of every register of the SSM datapath."""

    fx: int
    fb: int
    fc: int
    fh: int
    su: int  # right shift of the input sum into the state scale
    acc_bits: int  # both multiply-accumulate sums
    v_bits: int  # gate membrane (saturating)
    theta: int


@dataclass(frozen=True)
class FixedSsm:
    spec: SsmSpec
    model: SpikyStateSpace
    x: np.ndarray  # [T, d_model] float input
    x_int: np.ndarray
    a_int: np.ndarray  # [d_state]
    b_int: np.ndarray  # [d_state, d_model]
    c_int: np.ndarray  # [d_model, d_state]
    formats: SsmFormats


@dataclass(frozen=True)
class SsmRun:
    """States ``h`` ``[T, d_state]``, membranes ``v`` (after reset) and spikes ``[T, d_model]``."""

    h: np.ndarray
    v: np.ndarray
    spikes: np.ndarray


def seed_input(spec: SsmSpec) -> np.ndarray:
    """The layer's reproducible input rates in [0, 1): ``[T, d_model]`` from ``seed + 1``."""
    return np.random.default_rng(spec.seed + 1).random((spec.T, spec.d_model))


def ssm_spec_for(model: SpikyStateSpace, **hardware) -> SsmSpec:
    """The spec of `model`'s own layer (its shape, dt, threshold and seed); `hardware` sets the rest
    (T, lanes, in_bits, weight_bits, state_bits). UnsupportedError unless A is real and stable."""
    a = np.asarray(model.A)
    if np.iscomplexobj(a):
        raise UnsupportedError("the SSM hardware is S4D-Real (a real diagonal A); this op's A is complex (S4D-Lin)")
    if np.any(a >= 0):
        raise UnsupportedError(f"the SSM hardware needs a stable diagonal A < 0 (decay below 1); "
                               f"A has {int(np.sum(a >= 0))} entries >= 0")
    return SsmSpec(d_model=model.d_model, d_state=model.d_state, dt=float(model.dt), threshold=float(model.threshold),
                   seed=int(model.seed), **hardware)


def _check_model_shape(spec: SsmSpec, model: SpikyStateSpace) -> None:
    shapes = {"A": (np.shape(model.A), (spec.d_state,)), "B": (np.shape(model.B), (spec.d_state, spec.d_model)),
              "C": (np.shape(model.C), (spec.d_model, spec.d_state))}
    wrong = [f"{name} {got} (spec: {want})" for name, (got, want) in shapes.items() if got != want]
    if wrong:
        raise InputError(f"the SSM model does not fit its spec: {', '.join(wrong)}")


def quantise_ssm(spec: SsmSpec, x: np.ndarray | None = None, model: SpikyStateSpace | None = None) -> FixedSsm:
    """The float model of `spec` (weights from its seed, or the given S4D-Real `model` of the same
    shape, see :func:`ssm_spec_for`) and its integer twin for input `x` ``[T, d_model]``."""
    if model is None:
        model = SpikyStateSpace(spec.d_model, spec.d_state, float(spec.threshold), float(spec.dt), "s4d-real", spec.seed)
    _check_model_shape(spec, model)
    x = seed_input(spec) if x is None else np.asarray(x, dtype=np.float64)
    a_bar, b_bar = discretize_zoh(model.A, model.B, spec.dt)
    x_int, fx = quantise_power_of_two(x, spec.in_bits)
    b_int, fb = quantise_power_of_two(b_bar, spec.weight_bits)
    c_int, fc = quantise_power_of_two(model.C, spec.weight_bits)
    a_int = np.minimum(np.round(a_bar * 2.0**_FA), (1 << _FA) - 1).astype(np.int64)
    bound = HEADROOM * max(_state_peak(a_bar, b_bar, x), 2.0 ** -fx)
    fh = min(fx + fb, int(np.floor(np.log2(((1 << (spec.state_bits - 1)) - 1) / bound))))
    if fh + fc < 0:
        raise InputError(f"state_bits {spec.state_bits} are too few for this SSM: the state needs more integer bits")
    half_w, half_x, half_h = (1 << (b - 1) for b in (spec.weight_bits, spec.in_bits, spec.state_bits))
    peak = max(spec.d_model * half_w * half_x, spec.d_state * half_w * half_h)
    acc_bits = signed_bits(-peak, peak)
    theta = max(1, int(round(spec.threshold * 2.0 ** (fh + fc))))
    formats = SsmFormats(fx, fb, fc, fh, fx + fb - fh, acc_bits, max(acc_bits, signed_bits(-theta, theta)) + 2, theta)
    return FixedSsm(spec, model, x, x_int, a_int, b_int, c_int, formats)


def _state_peak(a_bar: np.ndarray, b_bar: np.ndarray, x: np.ndarray) -> float:
    h, peak = np.zeros(a_bar.shape), 0.0
    for x_t in x:  # sequential recurrence, vectorised over states
        h = a_bar * h + b_bar @ x_t
        peak = max(peak, float(np.max(np.abs(h))))
    return peak


def _round_shift(p: np.ndarray, k: int) -> np.ndarray:
    return (p + (1 << (k - 1))) >> k if k else p


def run_fixed_ssm(fixed: FixedSsm) -> SsmRun:
    """All time steps of the integer recurrence and gate (sequential in time, vectorised over units)."""
    spec, f = fixed.spec, fixed.formats
    steps = fixed.x_int.shape[0]
    hs = np.empty((steps, spec.d_state), np.int64)
    vs = np.empty((steps, spec.d_model), np.int64)
    spikes = np.empty((steps, spec.d_model), np.int8)
    h = np.zeros(spec.d_state, np.int64)
    v = np.zeros(spec.d_model, np.int64)
    for t in range(steps):
        u = fixed.b_int @ fixed.x_int[t]
        h = saturate(_round_shift(fixed.a_int * h, _FA) + _round_shift(u, f.su), spec.state_bits)
        v = v + fixed.c_int @ h
        spikes[t] = v >= f.theta
        v = saturate(v - spikes[t].astype(np.int64) * f.theta, f.v_bits)
        hs[t], vs[t] = h, v
    return SsmRun(hs, vs, spikes)


def ssm_report(fixed: FixedSsm) -> dict:
    """What quantisation costs: spike agreement and rate against the float model on the same input."""
    float_spikes = fixed.model.forward(fixed.x)
    run = run_fixed_ssm(fixed)
    return {
        "spike_agreement": float(np.mean(float_spikes == run.spikes)),
        "float_spike_rate": float(np.mean(float_spikes)),
        "fixed_spike_rate": float(np.mean(run.spikes)),
        "formats": {**fixed.formats.__dict__},
    }
