"""Integrate-and-fire neurons with reset by subtraction, as pure functions over arrays.

``v' = v + x``; ``s = [v' >= threshold]``; ``v'' = v' - s * threshold``. Besides the step, the closed
forms that compute whole sequences without a loop over time: from the running input sum
(:func:`if_running_sum`) and under a constant drive (:func:`if_constant_drive`). Used by the seed
attention (Q, K, V spikes) and the spiking state-space model's output gate.
"""

from __future__ import annotations

import numpy as np

__all__ = ["if_step", "if_multistep", "if_running_sum", "if_running_sum_time_major", "if_constant_drive"]


def if_step(x, v, threshold=1.0):
    """One step of integrate-and-fire with reset by subtraction.

    ``v' = v + x``; ``s = [v' >= threshold]``; ``v'' = v' - s * threshold``. Returns ``(s, v'')``.
    """
    v = v + x
    fired = v >= threshold
    return fired.astype(v.dtype), v - fired * threshold


def if_multistep(x_seq, threshold=1.0, v=None, axis=0):
    """:func:`if_step` over the time axis ``axis`` of ``x_seq``: :func:`if_running_sum` applied to
    ``S_t = v + x_0 + ... + x_t`` (a blocked prefix sum). Returns ``(spikes, v_final)``."""
    x = np.moveaxis(np.asarray(x_seq, dtype=np.float64), axis, -1)
    running = _prefix_sum(x)
    if v is not None:
        running += np.asarray(v, dtype=np.float64)[..., None]
    spikes, v_final = if_running_sum(running, threshold, axis=-1)
    return np.moveaxis(spikes, -1, axis), v_final


def if_running_sum(running, threshold=1.0, axis=0):
    """Integrate-and-fire with reset by subtraction, from the running input sum.

    ``running[t] = S_t = v_0 + x_0 + ... + x_t`` along ``axis``. The count ``N_t`` of a loop of
    :func:`if_step` obeys ``N_t = N_{t-1} + [S_t - threshold * N_{t-1} >= threshold]``. From any
    step ``t0`` whose previous membrane ``S_{t0-1} - threshold * N_{t0-1}`` is below the threshold,
    and as long as no step needs two spikes at once, it has the closed form
    ``N_t = max(N_{t0-1}, floor(max_{t0<=s<=t} S_s / threshold))``
    (the membrane stays below the threshold, so ``N_t`` is at least every ``floor(S_s / threshold)``;
    a spike at ``t`` needs ``S_t >= threshold * N_t``). Where the closed form would jump by two
    (an input above the threshold), that step and the backlog after it run one at a time, then
    the closed form resumes. Equal to the loop up to rounding of the running sum (exactly equal on
    integers). Returns ``(spikes, v_final)``, float64 spikes in the layout of ``running``.
    """
    total = np.moveaxis(np.asarray(running, dtype=np.float64), axis, -1)
    length = total.shape[-1]
    spikes = np.empty(total.shape)
    count = np.zeros(total.shape[:-1])
    t = 0
    window = length
    while t < length:
        stop = min(length, t + window)
        counts = np.maximum.accumulate(total[..., t:stop], axis=-1)
        counts /= threshold
        np.floor(counts, out=counts)
        np.maximum(counts, count[..., None], out=counts)
        fired = spikes[..., t:stop]
        np.subtract(counts[..., 0], count, out=fired[..., 0])
        np.subtract(counts[..., 1:], counts[..., :-1], out=fired[..., 1:])
        good = fired.shape[-1]
        if fired.max(initial=0.0) > 1.0:
            good = int(np.argmax((fired > 1.0).reshape(-1, good).any(axis=0)))
        if good:
            count = counts[..., good - 1].copy()
            t += good
        if good < fired.shape[-1]:
            # one spike per step until every membrane is below the threshold again
            backlog = True
            while t < length and backlog:
                fire = total[..., t] - threshold * count >= threshold
                spikes[..., t] = fire
                count += fire
                backlog = bool((total[..., t] - threshold * count >= threshold).any())
                t += 1
            # violations tend to recur: the next window is twice the stretch that just worked
            window = max(64, 2 * good)
    return np.moveaxis(spikes, -1, axis), total[..., -1] - threshold * count if length else count


def if_running_sum_time_major(total, length, threshold, out, counts):
    """:func:`if_running_sum` over time for a time-major float64 ``total[..., C, K, P]`` (time is
    ``C * K`` steps in blocks of ``K``, of which the first ``length`` count), writing the spikes
    into ``out[..., length, P]`` (any float dtype) with ``counts`` (like ``total``) as scratch.
    Returns ``v_final[..., P]``.

    The running maximum goes block-wise: ``K - 1`` elementwise maxima inside all blocks at once,
    then the block maxima accumulated and spread (elementwise over contiguous rows instead of a
    strided sequential accumulate). The maximum commutes with the (monotone) divide and floor, so
    the counts are those of :func:`if_running_sum`; no divide when ``threshold == 1.0``. If any
    step would need two spikes, :func:`if_running_sum` redoes the tile.
    """
    *lead, blocks, k, rows = total.shape
    # starting from max(S_0, 0) folds in the floor at zero counts: max(0, floor(x)) = floor(max(0, x))
    np.maximum(total[..., 0, 0, :], 0.0, out=counts[..., 0, 0, :])
    np.copyto(counts[..., 1:, 0, :], total[..., 1:, 0, :])
    for j in range(1, k):
        np.maximum(counts[..., j - 1, :], total[..., j, :], out=counts[..., j, :])
    if blocks > 1:
        block_max = np.maximum.accumulate(counts[..., :-1, k - 1, :], axis=-2)
        np.maximum(counts[..., 1:, :, :], block_max[..., None, :], out=counts[..., 1:, :, :])
    flat = counts.reshape(*lead, blocks * k, rows)
    if threshold != 1.0:
        flat /= threshold
    np.floor(flat, out=flat)
    np.copyto(out[..., 0, :], flat[..., 0, :], casting="unsafe")
    np.subtract(flat[..., 1:length, :], flat[..., : length - 1, :], out=out[..., 1:, :], casting="unsafe")
    sums = total.reshape(*lead, blocks * k, rows)
    if out.max(initial=0) > 1:
        spikes, v_final = if_running_sum(sums[..., :length, :], threshold, axis=-2)
        np.copyto(out, spikes, casting="unsafe")
        return v_final
    return sums[..., length - 1, :] - threshold * flat[..., length - 1, :]


def _prefix_sum(x, block=32):
    """Inclusive running sum over the last axis: in-block sums as one product with a triangular
    matrix of ones (BLAS instead of a sequential loop), plus the running sum of block totals."""
    chunks = -(-x.shape[-1] // block)
    blocks = np.zeros(x.shape[:-1] + (chunks * block,))
    blocks[..., : x.shape[-1]] = x
    blocks = blocks.reshape(-1, chunks, block)
    local = blocks @ np.triu(np.ones((block, block)))
    totals = local[..., -1]
    local[..., 1:, :] += np.cumsum(totals, axis=-1)[..., :-1, None]
    return local.reshape(x.shape[:-1] + (-1,))[..., : x.shape[-1]]


def if_constant_drive(drive, steps, threshold=1.0, signed=False, dtype=None):
    """Spikes of integrate-and-fire neurons fed the constant current ``drive / steps`` for ``steps``.

    Reset by subtraction, so the count after ``t`` steps has the closed form
    ``n_t = min(t, floor(t * drive / (steps * threshold)))`` for ``drive >= 0`` (at most one spike
    per step). ``signed=True`` gives ternary spikes ``sign(drive) * (n_t - n_{t-1})`` (a neuron
    with a negative threshold mirrored); otherwise negative drive gives no spikes. Returns an
    array of shape ``(steps,) + drive.shape``; the counts are computed in float64 and the spikes
    stored as ``dtype`` (default: float64).
    """
    drive = np.asarray(drive, dtype=np.float64)
    rate = np.abs(drive) if signed else np.maximum(drive, 0.0)
    rate /= steps * threshold
    t = np.arange(steps + 1, dtype=np.float64).reshape((steps + 1,) + (1,) * drive.ndim)
    counts = t * rate
    np.floor(counts, out=counts)
    np.minimum(counts, t, out=counts)
    spikes = np.empty((steps,) + drive.shape, dtype or np.float64)
    np.subtract(counts[1:], counts[:-1], out=spikes, casting="unsafe")
    if signed:
        spikes *= np.sign(drive).astype(spikes.dtype)
    return spikes
