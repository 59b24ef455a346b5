"""Spiking state-space model (diagonal S4D with an integrate-and-fire gate) as pure functions.

Continuous model ``h' = A h + B x``, ``y = C h`` with diagonal ``A`` from HiPPO:
S4D-Real ``A_n = -(n + 1)`` or S4D-Lin ``A_n = -1/2 + i pi n`` (complex state, ``y = Re(C h)``).
Zero-order hold with step ``dt`` gives ``h_t = Ab * h_{t-1} + Bb x_t`` with
``Ab = exp(dt A)`` and ``Bb = (exp(dt A) - 1) / A * B``. The gate is integrate-and-fire with reset
by subtraction: ``v += y_t; s_t = [v >= threshold]; v -= s_t * threshold``.

:func:`spiky_ssm_step` is one step; :func:`diagonal_scan` the closed form of the recurrence over a
whole sequence. The recurrence :func:`state_step` is also the trainable LIF-gated SSM's
(:class:`sc_neurocore.training.modules.ssm.LIFGatedStateSpace`).
"""

from __future__ import annotations

import numbers

import numpy as np

from sc_neurocore.errors import InputError
from sc_neurocore.models.integrate_and_fire import if_step

__all__ = ["INITS", "hippo_diagonal", "discretize_zoh", "state_step", "spiky_ssm_step", "diagonal_scan", "scan_chunk"]

INITS = ("s4d-real", "s4d-lin")


def hippo_diagonal(d_state: int, init: str = "s4d-real") -> np.ndarray:
    """Diagonal HiPPO state matrix: ``-(n + 1)`` (S4D-Real) or ``-1/2 + i pi n`` (S4D-Lin)."""
    if isinstance(d_state, bool) or not isinstance(d_state, numbers.Integral) or d_state <= 0:
        raise InputError(f"d_state must be a positive integer, got {d_state!r}")
    n = np.arange(d_state)
    if init == "s4d-real":
        return -(n + 1.0)
    if init == "s4d-lin":
        return -0.5 + 1j * np.pi * n
    raise InputError(f"init must be one of {', '.join(INITS)}, got {init!r}")


def discretize_zoh(a: np.ndarray, b: np.ndarray, dt: float) -> tuple[np.ndarray, np.ndarray]:
    """Zero-order hold of ``h' = diag(a) h + b x``: ``(exp(dt a), (exp(dt a) - 1) / a * b)``."""
    a_bar = np.exp(dt * a)
    # expm1 keeps (exp(dt a) - 1) / a accurate for small dt |a|
    return a_bar, (np.expm1(dt * a) / a)[:, None] * b


def state_step(u: np.ndarray, h: np.ndarray, a: np.ndarray) -> np.ndarray:
    """One step of the diagonal recurrence: ``h' = a * h + u`` (``u`` the projected input ``Bb x``)."""
    return a * h + u


def spiky_ssm_step(x: np.ndarray, state: tuple, params: tuple) -> tuple[tuple[np.ndarray, np.ndarray], tuple]:
    """One step of the spiking SSM: ``((spikes, y), (h', v'))`` for ``x (..., d_model)``.

    ``state = (h, v)``; ``params = (a_bar [d_state], b_bar [d_state, d_model], c [d_model, d_state],
    threshold)``::

        h' = a_bar * h + x b_bar^T;   y = Re(h' c^T);   (s, v') = IF(y, v, threshold)
    """
    h, v = state
    a_bar, b_bar, c, threshold = params
    h = state_step(x @ b_bar.T, h, a_bar)
    y = (h @ c.T).real
    spikes, v = if_step(y, v, threshold)
    return (spikes, y), (h, v)


def diagonal_scan(
    a: np.ndarray,
    u: np.ndarray,
    h0: np.ndarray | None = None,
    cumulative: bool = False,
    readout: np.ndarray | None = None,
    overwrite_u: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """All states of ``h_t = a * h_{t-1} + u_t`` without a loop over time.

    State-major layout: ``a[N]``, ``u[N, ..., L]`` (time last), ``h0[N, ...]``. Returns
    ``(out, h_last)``: ``out[N, ..., L]`` holds ``h_t``, or with ``cumulative=True`` the running
    sums ``h_0 + ... + h_t`` (what an integrate-and-fire gate needs); with ``readout`` (``[P, N]``)
    ``out[P, ..., L]`` is ``readout @ out``. ``h_last[N, ...]`` is the final state.
    ``overwrite_u`` lets the scan work inside ``u`` (it is then clobbered).

    Chunked closed form over chunks of ``K`` steps (``K`` a divisor of ``L`` in 16..32 if any):

    1. chunk ends from zero state: ``e_c = sum_j a^(K-1-j) u_{c,j}``;
    2. true chunk ends ``s_c = a^K s_{c-1} + e_c``: the same recurrence, ``K`` times shorter,
       solved by this function recursively;
    3. inject the carried state, ``u_{c,0} += a s_{c-1}``, and expand each chunk with one Toeplitz
       product per state: ``h_{c,k} = sum_{j<=k} a^(k-j) u_{c,j}``, or for running sums
       ``sum_{j<=k} (1 + a + ... + a^(k-j)) u_{c,j}`` plus the sums of the earlier chunks.

    Only powers ``a^k`` with ``0 <= k <= K`` appear (and ``(a^K)^k`` one level up), so for
    ``|a| <= 1`` nothing overflows and underflow to zero is the correct limit (a
    ``cumprod``-and-divide formula underflows after ~1e3 steps).
    """
    u = np.asarray(u)
    n, *lead, length = u.shape
    chunk = scan_chunk(length)
    dtype = np.result_type(a, u, np.float64)
    chunks = -(-length // chunk)
    if overwrite_u and chunks * chunk == length and u.dtype == dtype and u.flags.c_contiguous:
        blocks = u.reshape(n, -1, chunks, chunk)
    else:
        padded = np.zeros((n, *lead, chunks * chunk), dtype)
        padded[..., :length] = u
        blocks = padded.reshape(n, -1, chunks, chunk)  # [N, batch, C, K]
    powers = np.ones((n, chunk + 1), dtype)  # [N, K + 1]: a^0 .. a^K
    np.cumprod(np.broadcast_to(a[:, None], (n, chunk)), axis=1, out=powers[:, 1:])
    first = None if h0 is None else np.asarray(h0, dtype).reshape(n, -1)
    if chunks > 1:
        ends = (blocks[..., :-1, :] @ np.ascontiguousarray(powers[:, None, chunk - 1 :: -1, None]))[..., 0]
        carried, _ = diagonal_scan(powers[:, -1], ends, first, overwrite_u=True)
        blocks[..., 1:, 0] += a[:, None, None] * carried
    if first is not None:
        blocks[..., 0, 0] += a[:, None] * first
    tail = (length - 1) % chunk  # the final state sits inside the last (padded) chunk
    h_last = (blocks[..., -1, : tail + 1] @ np.ascontiguousarray(powers[:, tail::-1, None]))[..., 0]
    kernel = np.cumsum(powers[:, :-1], axis=1) if cumulative else powers[:, :-1]
    lag = np.arange(chunk)[None, :] - np.arange(chunk)[:, None]  # [j, k] -> k - j
    toeplitz_t = np.where(lag >= 0, kernel[:, np.maximum(lag, 0)], 0)  # [N, j, k], contiguous for BLAS
    out = (blocks.reshape(n, -1, chunk) @ toeplitz_t).reshape(n, -1)
    offsets = None
    if cumulative:
        # running sums of the chunk totals, added per chunk (after the readout: fewer rows)
        offsets = np.zeros(blocks.shape[:-1], dtype)
        offsets[..., 1:] = np.cumsum(out.reshape(blocks.shape)[..., :-1, -1], axis=-1)
        offsets = offsets.reshape(n, -1)
    if readout is not None:
        out = readout @ out
        offsets = None if offsets is None else readout @ offsets
    rows = out.shape[0]
    out = out.reshape(rows, -1, chunks, chunk)
    if offsets is not None:
        out += offsets.reshape(rows, -1, chunks, 1)
    return out.reshape(rows, *lead, chunks * chunk)[..., :length], h_last.reshape(n, *lead)


def scan_chunk(length: int) -> int:
    """The chunk length of :func:`diagonal_scan` for ``length`` steps: a divisor in 16..32, else 16."""
    for size in range(16, 33):
        if length % size == 0:
            return size
    return 16
