"""Leaky integrate-and-fire neurons as pure functions over arrays, in their two parameterisations.

SpikingJelly's ``LIFNode`` form (the inference blocks of :mod:`sc_neurocore.transformers`):
``h = v + (x - (v - v_reset)) / tau``, firing on ``h >= threshold`` (``heaviside(v - v_th)``), so a
membrane that lands exactly on the threshold spikes — also in the integer twin
(:func:`.fixed_point.fixed_lif_step` with ``decay_input``): :func:`lif_step`, :func:`lif_multistep`,
:func:`ternary_lif_step`, :func:`ternary_lif_multistep`.

NIR's Euler form at ``r = 1`` (the trainable layers of :mod:`sc_neurocore.training`, the network
executor): ``u = v - k v + x`` with ``k = dt / tau``, a spike function of ``u - threshold`` and reset
to 0: :func:`euler_charge`, :func:`euler_lif_step`. With ``x -> x / tau`` and ``threshold -> tau
threshold`` the two forms charge alike (ties aside).

Every function takes the input, the state and the parameters and returns the spikes and the new
state; nothing is stored. Arrays are vectorised over any trailing shape; multi-step functions take
time on axis 0 and loop over it only where the dynamics are truly sequential.
"""

from __future__ import annotations

import numpy as np

from sc_neurocore.models.fixed_point import saturate

__all__ = [
    "lif_step", "lif_multistep", "ternary_lif_step", "ternary_lif_multistep", "heaviside", "euler_charge", "euler_lif_step",
]


def lif_step(x, v, tau=2.0, v_threshold=1.0, v_reset=0.0):
    """One step of a leaky integrate-and-fire neuron (SpikingJelly ``LIFNode``, ``decay_input=True``).

    ``h = v + (x - (v - v_reset)) / tau``; ``s = [h >= v_threshold]``;
    hard reset ``v' = v_reset if s else h``, or soft reset ``v' = h - s * v_threshold`` when
    ``v_reset`` is None. Returns ``(s, v')`` with ``s`` in the dtype of ``h``.
    """
    reset_level = 0.0 if v_reset is None else v_reset
    h = v + (x - (v - reset_level)) / tau
    fired = h >= v_threshold
    if v_reset is None:
        v_next = h - fired * np.asarray(v_threshold, h.dtype)
    else:
        v_next = np.where(fired, np.asarray(v_reset, h.dtype), h)
    return fired.astype(h.dtype), v_next


def lif_multistep(x_seq, tau=2.0, v_threshold=1.0, v_reset=0.0, v=None):
    """:func:`lif_step` over time (axis 0) of ``x_seq``; returns ``(spikes, v_final)``.

    Uses the same floating-point expression as :func:`lif_step`, in place, so the spikes equal a
    loop of :func:`lif_step` bit for bit. ``v`` defaults to zeros (then the first step is
    ``h = x / tau`` exactly).
    """
    x_seq = np.asarray(x_seq)
    dtype = x_seq.dtype if np.issubdtype(x_seq.dtype, np.floating) else np.dtype(np.float64)
    spikes = np.empty(x_seq.shape, dtype)
    tau, threshold = dtype.type(tau), dtype.type(v_threshold)
    level = dtype.type(0.0 if v_reset is None else v_reset)
    hard = v_reset is not None
    v = np.zeros(x_seq.shape[1:], dtype) if v is None else np.array(v, dtype)
    h = np.empty_like(v)
    keep = np.empty_like(v)
    start = 0
    if level == 0 and not v.any():
        # v = 0 makes h = x / tau exactly: the same bits with one operation instead of three
        np.divide(x_seq[0], tau, out=v, casting="unsafe")
        _fire(v, threshold, level, hard, keep, spikes[0])
        start = 1
    for t in range(start, x_seq.shape[0]):
        if level == 0:
            np.subtract(x_seq[t], v, out=h, casting="unsafe")  # v - 0 is v: the same bits
        else:
            np.subtract(v, level, out=h)
            np.subtract(x_seq[t], h, out=h, casting="unsafe")
        h /= tau
        v += h
        _fire(v, threshold, level, hard, keep, spikes[t])
    return spikes, v


def _fire(h, threshold, level, hard, keep, spikes_out):
    """Threshold ``h`` in place: write the spikes and apply the reset to ``h``.

    The hard reset is ``h * (1 - s) + v_reset * s`` rather than a masked store: the same values
    (a sign of zero aside), about ten times faster than ``np.copyto(..., where=)`` on random masks.
    """
    np.greater_equal(h, threshold, out=spikes_out)
    np.subtract(1, spikes_out, out=keep)
    if hard:
        h *= keep
        if level != 0:
            h += level * spikes_out
    else:
        h -= spikes_out * threshold


def ternary_lif_step(x, v, tau=2.0, v_threshold=1.0):
    """One step of the ternary spiking neuron used for V in A²OS²A.

    ``h = v + (x - v) / tau``; ``s = +1 if h >= v_th, -1 if h <= -v_th, else 0``;
    hard reset to 0 after either spike, ``v' = h`` otherwise.
    """
    h = v + (x - v) / tau
    spikes = (h >= v_threshold).astype(h.dtype) - (h <= -v_threshold).astype(h.dtype)
    return spikes, np.where(spikes != 0, np.zeros((), h.dtype), h)


def ternary_lif_multistep(x_seq, tau=2.0, v_threshold=1.0):
    """:func:`ternary_lif_step` over time (axis 0) from ``v = 0``; returns ``(spikes, v_final)``."""
    x_seq = np.asarray(x_seq)
    dtype = x_seq.dtype if np.issubdtype(x_seq.dtype, np.floating) else np.float64
    spikes = np.empty(x_seq.shape, dtype)
    v = np.zeros(x_seq.shape[1:], dtype)
    for t in range(x_seq.shape[0]):
        spikes[t], v = ternary_lif_step(x_seq[t], v, dtype.type(tau), dtype.type(v_threshold))
    return spikes, v


def heaviside(x):
    """``H(x) = [x > 0]`` in the dtype of ``x`` (strict, as in NIR)."""
    return (x > 0).astype(x.dtype)


def euler_charge(x, v, leak, grid=None, state_bits=None, v_leak=0.0):
    """The membrane after one Euler step, before any spike: ``u = v - k (v - v_leak) + x``.

    On a fixed-point grid ``q`` (``grid``, quantisation-aware) the leak is the hardware's floor shift
    and ``u`` saturates to ``state_bits``: ``u = q sat(v / q - floor(k v / q) + x / q)``, the numbers of
    :func:`.fixed_point.fixed_lif_step` times ``q`` (``v_leak = 0``). ``u`` keeps the dtype of ``v``.
    """
    if grid is None:
        return v - leak * (v - v_leak) + x
    # float64: k_int * v_int needs 32 bits, more than float32 holds exactly
    v64 = v.astype(np.float64)
    u = (v64 - grid * np.floor(leak * v64 / grid)).astype(v.dtype) + x
    return (saturate(u / grid, state_bits) * grid).astype(u.dtype)


def euler_lif_step(x, v, leak, threshold, spike=heaviside, grid=None, state_bits=None):
    """One step of the Euler-form LIF: ``u`` from :func:`euler_charge`, ``s = spike(u - threshold)``,
    ``v' = u - u s`` (reset to 0; ``spike`` may be a smooth stand-in). Returns ``(s, v', u)``."""
    u = euler_charge(x, v, leak, grid, state_bits)
    s = spike(u - threshold)
    return s, u - u * s, u
