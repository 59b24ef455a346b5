"""Integer arithmetic of every fixed-point twin: power-of-two formats, saturation, and the one integer LIF step.

A real array is held as ``round(x 2^f)`` in a signed register: :func:`power_of_two_shift` picks the
largest ``f`` that keeps the peak in range, :func:`quantise_power_of_two` rounds and saturates.
:func:`fixed_lif_step` is the leaky integrate-and-fire neuron in integers, in both the NIR Euler form
(the network executor, the trained MLP and transformer) and SpikingJelly's decay-input form (the
attention-variant cores); integrate-and-fire is the case ``leak = 0``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["signed_bits", "power_of_two_shift", "quantise_power_of_two", "saturate", "fixed_lif_step", "fixed_lif_multistep"]


def signed_bits(low: int, high: int) -> int:
    """The fewest two's-complement bits that hold every integer in ``[low, high]``."""
    bits = 1
    while not -(1 << (bits - 1)) <= low <= high <= (1 << (bits - 1)) - 1:
        bits += 1
    return bits


def power_of_two_shift(values: np.ndarray, bits: int, zero_shift: int = 0) -> int:
    """The largest ``f`` such that ``max|values| 2^f`` fits a signed `bits`-bit integer (`zero_shift` for all zeros)."""
    peak = float(np.max(np.abs(values)))
    limit = (1 << (bits - 1)) - 1
    return int(np.floor(np.log2(limit / peak))) if peak > 0 else zero_shift


def quantise_power_of_two(values: np.ndarray, bits: int, shift: int | None = None) -> tuple[np.ndarray, int]:
    """Saturated ``round(values 2^shift)`` as int64; without `shift`, the largest that keeps the peak in range."""
    shift = power_of_two_shift(values, bits) if shift is None else shift
    limit = (1 << (bits - 1)) - 1
    return np.clip(np.round(values * 2.0**shift), -limit - 1, limit).astype(np.int64), shift


def saturate(values: np.ndarray, bits: int) -> np.ndarray:
    """Clip integers to the signed `bits`-bit range."""
    top = (1 << (bits - 1)) - 1
    return np.minimum(np.maximum(values, -top - 1), top)  # cheaper per call than np.clip


def fixed_lif_step(drive, v, leak, threshold=None, *, leak_bits: int = 16, v_leak=0, state_bits: int | None = None,
                   decay_input: bool = False, spike_ge: bool = False, reset_subtract: bool = False, v_reset=0):
    """One step of the integer LIF over int64 arrays; returns ``(output, v')``.

    ::

        decay_input=False:  u = sat(v - ((leak (v - v_leak)) >> leak_bits) + drive)     NIR Euler form
        decay_input=True:   u = sat(v + ((leak (drive - (v - v_leak))) >> leak_bits))   SpikingJelly form
        s  = [u >= threshold] if spike_ge else [u > threshold]
        v' = sat(u - threshold) where s if reset_subtract, else v_reset where s; u elsewhere

    ``>>`` is the arithmetic shift (floor); ``sat`` clips to `state_bits` signed bits (no clip for
    None). ``leak`` is ``k = dt / tau`` as the integer ``k 2^leak_bits``. Without a `threshold` the
    neuron is a leaky integrator: the output is ``u`` and ``v' = u``. Otherwise the output is the
    boolean spikes ``s``.
    """
    if decay_input:
        u = v + ((leak * (drive - (v - v_leak))) >> leak_bits)
    else:
        u = v - ((leak * (v - v_leak)) >> leak_bits) + drive
    if state_bits is not None:
        u = saturate(u, state_bits)
    if threshold is None:
        return u, u
    spikes = (u >= threshold) if spike_ge else (u > threshold)
    if reset_subtract:
        after = u - threshold
        if state_bits is not None:
            after = saturate(after, state_bits)
    else:
        after = v_reset
    return spikes, np.where(spikes, after, u)


def fixed_lif_multistep(drive, leak, threshold=None, **options) -> tuple[np.ndarray, np.ndarray]:
    """:func:`fixed_lif_step` over time (axis 0) of the int64 ``drive`` from ``v = 0``, with the same
    keyword `options`. Returns the int64 outputs (spikes as 0/1, or ``u`` without a threshold) and
    membranes ``v'`` of every step."""
    drive = np.asarray(drive, np.int64)
    outputs = np.empty(drive.shape, np.int64)
    membranes = np.empty(drive.shape, np.int64)
    v = np.zeros(drive.shape[1:], np.int64)
    for t in range(drive.shape[0]):  # sequential dynamics
        outputs[t], v = fixed_lif_step(drive[t], v, leak, threshold, **options)
        membranes[t] = v
    return outputs, membranes
