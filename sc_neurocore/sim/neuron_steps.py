"""Pure neuron step functions `(current, state, params) -> (output, state)` over [batch, neurons].

Both follow the shared update of `sc_neurocore.passes.lower`; the fixed one is exactly what the RTL
(`hdl/snn/snn_core.sv`, neuron stage) computes: Q0.16 decay products floored by an arithmetic shift,
saturation to the state width after each addition.
"""

import numpy as np

from sc_neurocore.models.fixed_point import fixed_lif_step
from sc_neurocore.models.lif import euler_charge

__all__ = ["float_step", "fixed_step", "delay_step", "make_float_step", "make_fixed_step"]


def float_step(current, state, pop, spike_ge: bool):
    """One step of `pop` in float64 (the charge is :func:`sc_neurocore.models.lif.euler_charge`).
    state = (v, syn); returns (output, (v, syn))."""
    v, syn = state
    if pop.has_syn:
        syn = euler_charge(pop.gain * current, syn, pop.k_syn)
    else:
        syn = pop.gain * current
    v = euler_charge(syn, v, pop.k_mem, v_leak=pop.v_leak)
    if not pop.spiking:
        return v, (v, syn)
    spikes = (v >= pop.v_threshold) if spike_ge else (v > pop.v_threshold)
    after = v - pop.v_threshold if pop.reset_subtract else pop.v_reset
    v = np.where(spikes, after, v)
    return spikes.astype(v.dtype), (v, syn)


def fixed_step(acc, state, pop, spike_ge: bool, state_bits: int):
    """One step of quantised `pop` in int64 (:func:`sc_neurocore.models.fixed_point.fixed_lif_step`, the
    synaptic current a leaky integrator); `acc` is the summed integer input (bias included)."""
    v, syn = state
    if pop.has_syn:
        syn, _ = fixed_lif_step(acc, syn, pop.k_syn, state_bits=state_bits)
        drive = syn
    else:
        drive = acc
    threshold = pop.v_threshold if pop.spiking else None
    out, v = fixed_lif_step(drive, v, pop.k_mem, threshold, v_leak=pop.v_leak, state_bits=state_bits, spike_ge=spike_ge,
                            reset_subtract=pop.reset_subtract, v_reset=pop.v_reset)
    if not pop.spiking:
        return v, (v, syn)
    return out.astype(np.int64), (v, syn)


def delay_step(current, state, pop):
    """A delay line: y[t] = x[t - d] per element (d = pop.delay_steps), zero before the line fills.

    state = (y, ring) with ring [d_max + 1, batch, n]; the ring is rolled by one slot per step, so
    slot d always holds the input of d steps ago. Works unchanged for float and int64.
    """
    _, ring = state
    ring = np.roll(ring, 1, axis=0)
    ring[0] = current
    out = np.take_along_axis(ring, pop.delay_steps[None, None, :].repeat(ring.shape[1], axis=1), axis=0)[0]
    return out, (out, ring)


def _uniform(values: np.ndarray):
    """A per-neuron array as a scalar when all entries are equal (same comparisons and results)."""
    values = np.asarray(values)
    return values.flat[0] if values.size and np.all(values == values.flat[0]) else values


def _emit(spikes: np.ndarray, dtype, out: np.ndarray | None) -> np.ndarray:
    """The spikes as 0/1 of `dtype`: written into `out` (e.g. the recording row) when given."""
    if out is None:
        return spikes.astype(dtype)
    np.copyto(out, spikes)
    return out


def _fire_and_reset(v, compare, threshold, v_reset, subtract: bool, clip=None):
    """``(spikes, v)``: where ``compare(v, threshold)`` fires, v is reset in place where it can be: by
    subtracting the threshold (then clipped to ``clip = (bottom, top)`` when given), or to ``v_reset``."""
    spikes = compare(v, threshold)
    if subtract:
        np.subtract(v, threshold, out=v, where=spikes)
        if clip is not None:
            np.maximum(v, clip[0], out=v)
            np.minimum(v, clip[1], out=v)
    elif np.ndim(v_reset) == 0:
        np.putmask(v, spikes, v_reset)
    else:
        v = np.where(spikes, v_reset, v)
    return spikes, v


def make_float_step(pop, spike_ge: bool, owns_state: bool = False):
    """`float_step` specialised to `pop` once, before the time loop; returns step(current, state, out=None).

    Terms that are exact no-ops for this population's constants are skipped (gain 1: 1*x == x; k_mem 0:
    v - 0*(v - v_leak) == v), scalars replace uniform arrays, and the reset writes in place into the
    freshly computed v. The results are the same float64 values as `float_step`'s. A spiking step writes
    its spikes into `out` when given (no temporary); the generic ones ignore it. With `owns_state` the
    caller hands the state arrays over, and v is updated in place (no new array per step).
    """
    if pop.has_syn or not pop.spiking:
        return lambda current, state, out=None: float_step(current, state, pop, spike_ge)
    unit_gain = bool(np.all(pop.gain == 1.0))
    no_leak = bool(np.all(pop.k_mem == 0.0))
    gain, k_mem, v_leak = pop.gain, pop.k_mem, pop.v_leak
    threshold, v_reset = _uniform(pop.v_threshold), _uniform(pop.v_reset)
    compare = np.greater_equal if spike_ge else np.greater
    subtract = pop.reset_subtract

    def step(current, state, out=None):
        v, _ = state
        syn = current if unit_gain else gain * current
        if no_leak:
            v = np.add(v, syn, out=v) if owns_state else v + syn
        else:
            v = v - k_mem * (v - v_leak) + syn
        spikes, v = _fire_and_reset(v, compare, threshold, v_reset, subtract)
        return _emit(spikes, v.dtype, out), (v, syn)

    return step


def make_fixed_step(pop, spike_ge: bool, state_bits: int, owns_state: bool = False):
    """`fixed_step` specialised to `pop` (same integers): k_mem 0 gives ((0 * x) >> 16) == 0, so the
    decay product is skipped; saturation and reset work in place on the freshly computed v. Returns
    step(acc, state, out=None), writing spikes into `out` and taking `owns_state` as `make_float_step`."""
    if pop.has_syn or not pop.spiking:
        return lambda current, state, out=None: fixed_step(current, state, pop, spike_ge, state_bits)
    no_leak = bool(np.all(pop.k_mem == 0))
    k_mem, v_leak = pop.k_mem, pop.v_leak
    threshold, v_reset = _uniform(pop.v_threshold), _uniform(pop.v_reset)
    compare = np.greater_equal if spike_ge else np.greater
    subtract = pop.reset_subtract
    top = (1 << (state_bits - 1)) - 1
    bottom = -top - 1

    def step(acc, state, out=None):
        v, syn = state
        if no_leak:
            v = np.add(v, acc, out=v) if owns_state else v + acc
        else:
            v = v - ((k_mem * (v - v_leak)) >> 16) + acc
        np.maximum(v, bottom, out=v)
        np.minimum(v, top, out=v)
        # by subtraction: saturate(v - threshold) where spiking; the rest is saturated already
        spikes, v = _fire_and_reset(v, compare, threshold, v_reset, subtract, (bottom, top))
        return _emit(spikes, np.int64, out), (v, syn)

    return step
