"""Pure neuron step functions `(current, state, params) -> (output, state)` over [batch, neurons].

Both follow the shared update of `sc_neurocore.network`; the fixed one is exactly what the RTL
(`hdl/snn_core.sv`, neuron stage) computes: Q0.16 decay products floored by an arithmetic shift,
saturation to the state width after each addition.
"""

import numpy as np

__all__ = ["float_step", "fixed_step", "delay_step", "saturate"]


def float_step(current, state, pop, spike_ge: bool):
    """One step of `pop` in float64. state = (v, syn); returns (output, (v, syn))."""
    v, syn = state
    if pop.has_syn:
        syn = syn - pop.k_syn * syn + pop.gain * current
    else:
        syn = pop.gain * current
    v = v - pop.k_mem * (v - pop.v_leak) + syn
    if not pop.spiking:
        return v, (v, syn)
    spikes = (v >= pop.v_threshold) if spike_ge else (v > pop.v_threshold)
    after = v - pop.v_threshold if pop.reset_subtract else pop.v_reset
    v = np.where(spikes, after, v)
    return spikes.astype(v.dtype), (v, syn)


def saturate(x: np.ndarray, bits: int) -> np.ndarray:
    top = (1 << (bits - 1)) - 1
    return np.minimum(np.maximum(x, -top - 1), top)  # cheaper per call than np.clip


def fixed_step(acc, state, pop, spike_ge: bool, state_bits: int):
    """One step of quantised `pop` in int64; `acc` is the summed integer input (bias included)."""
    v, syn = state
    if pop.has_syn:
        syn = saturate(syn - ((pop.k_syn * syn) >> 16) + acc, state_bits)
        drive = syn
    else:
        drive = acc
    v = saturate(v - ((pop.k_mem * (v - pop.v_leak)) >> 16) + drive, state_bits)
    if not pop.spiking:
        return v, (v, syn)
    spikes = (v >= pop.v_threshold) if spike_ge else (v > pop.v_threshold)
    after = saturate(v - pop.v_threshold, state_bits) if pop.reset_subtract else pop.v_reset
    v = np.where(spikes, after, v)
    return spikes.astype(np.int64), (v, syn)


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
