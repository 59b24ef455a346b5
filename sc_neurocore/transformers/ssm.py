"""Spiking state-space model: a diagonal S4D layer with an integrate-and-fire output gate.

Continuous model ``h' = A h + B x``, ``y = C h`` with diagonal ``A`` from HiPPO:
S4D-Real ``A_n = -(n + 1)`` or S4D-Lin ``A_n = -1/2 + i pi n`` (complex state, ``y = Re(C h)``).
Zero-order hold with step ``dt`` gives ``h_t = Ab * h_{t-1} + Bb x_t`` with
``Ab = exp(dt A)`` and ``Bb = (exp(dt A) - 1) / A * B``. The gate is integrate-and-fire with reset
by subtraction: ``v += y_t; s_t = [v >= threshold]; v -= s_t * threshold``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sc_neurocore.errors import InputError
from sc_neurocore.transformers._checks import last_dim, positive_float, positive_int, real_array
from sc_neurocore.transformers.neurons import if_running_sum, if_step

__all__ = ["SpikyStateSpace", "hippo_diagonal", "discretize_zoh", "diagonal_scan"]

INITS = ("s4d-real", "s4d-lin")
# forward works through long sequences in tiles: bounded memory, and working arrays of about a
# megabyte that the allocator reuses (fresh multi-megabyte arrays cost page faults on every call)
TILE = 2048


def hippo_diagonal(d_state: int, init: str = "s4d-real") -> np.ndarray:
    """Diagonal HiPPO state matrix: ``-(n + 1)`` (S4D-Real) or ``-1/2 + i pi n`` (S4D-Lin)."""
    n = np.arange(positive_int("d_state", d_state))
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
    chunk = _chunk_for(length)
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


def _chunk_for(length: int) -> int:
    for size in range(16, 33):
        if length % size == 0:
            return size
    return 16


@dataclass(eq=False)
class SpikyStateSpace:
    """Spiking S4D layer (seed API): ``step`` for online use, ``forward`` for whole sequences.

    ``A`` (``[d_state]``, continuous), ``B`` (``[d_state, d_model]``), ``C`` (``[d_model, d_state]``,
    real) and ``dt`` are attributes; the discretisation is recomputed from them on every call.
    ``forward`` accepts ``(T, d_model)`` or ``(batch, T, d_model)``.
    """

    d_model: int
    d_state: int = 64
    threshold: float = 1.0
    dt: float = 0.01
    init: str = "s4d-real"
    seed: int = 0

    def __post_init__(self):
        positive_int("d_model", self.d_model)
        positive_float("threshold", self.threshold)
        positive_float("dt", self.dt)
        self.A = hippo_diagonal(self.d_state, self.init)
        rng = np.random.default_rng(self.seed)
        self.B = rng.standard_normal((self.d_state, self.d_model)) * np.sqrt(2.0 / self.d_model)
        self.C = rng.standard_normal((self.d_model, self.d_state)) * np.sqrt(2.0 / self.d_state)
        self.reset()

    def reset(self) -> None:
        """Forget the hidden state and the gate membrane (they are re-created at the next input)."""
        self._h = None
        self._v = None

    def step(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """One time step for ``x`` of shape ``(d_model,)`` or ``(batch, d_model)``: ``(spikes, y)``."""
        x = real_array("x", x, (1, 2))
        last_dim("x", x, self.d_model)
        a_bar, b_bar = discretize_zoh(self.A, self.B, self.dt)
        if self._h is None or self._h.shape[:-1] != x.shape[:-1]:
            self._h = np.zeros(x.shape[:-1] + (self.d_state,), np.result_type(a_bar, np.float64))
            self._v = np.zeros(x.shape, np.float64)
        self._h = a_bar * self._h + x @ b_bar.T
        y = (self._h @ self.C.T).real
        spikes, self._v = if_step(y, self._v, self.threshold)
        return spikes, y

    def readout(self, x_seq: np.ndarray) -> np.ndarray:
        """Pre-spike outputs ``y_t = Re(C h_t)`` of a whole sequence, continuing from the current
        state (float64, shape of ``x_seq``)."""
        x_seq = self._sequence(x_seq)
        h0 = self._h_state_major(x_seq)
        y, h_last = self._scan(x_seq, h0, cumulative=False)
        self._h = np.moveaxis(h_last, 0, -1)
        return np.moveaxis(y, 0, -1)

    def forward(self, x_seq: np.ndarray) -> np.ndarray:
        """Reset, then spikes for ``(T, d_model)`` or ``(batch, T, d_model)`` (dtype of a float input).

        Works through the sequence in tiles of ``TILE`` steps (bounded memory): per tile the linear
        part is one :func:`diagonal_scan` that yields the running sum of ``y`` directly, and the
        gate is :func:`.neurons.if_running_sum`; the state and the membrane carry over between
        tiles. No Python loop over time steps in the common case. The final state is kept, so
        :meth:`step` continues where the sequence ended.
        """
        self.reset()
        x_seq = self._sequence(x_seq)
        dtype = x_seq.dtype if np.issubdtype(x_seq.dtype, np.floating) else np.float64
        spikes = np.empty(x_seq.shape, dtype)
        h, v = None, None
        for start in range(0, x_seq.shape[-2], TILE):
            running, h = self._scan(x_seq[..., start : start + TILE, :], h, cumulative=True)
            running = np.moveaxis(running, 0, -2)  # [..., d_model, tile]: time stays contiguous
            if v is not None:
                running += v[..., None]
            tile_spikes, v = if_running_sum(running, self.threshold, axis=-1)
            spikes[..., start : start + TILE, :] = np.swapaxes(tile_spikes, -1, -2)
        self._h = None if h is None else np.moveaxis(h, 0, -1)
        self._v = v
        return spikes

    def _sequence(self, x_seq) -> np.ndarray:
        x_seq = real_array("x_seq", x_seq, (2, 3))
        last_dim("x_seq", x_seq, self.d_model)
        return x_seq

    def _h_state_major(self, x_seq: np.ndarray) -> np.ndarray | None:
        if self._h is not None and self._h.shape[:-1] == x_seq.shape[:-2]:
            return np.moveaxis(self._h, -1, 0)
        return None

    def _scan(self, x_seq: np.ndarray, h0: np.ndarray | None, cumulative: bool) -> tuple[np.ndarray, np.ndarray]:
        """``(y or its running sum [d_model, ..., T], h_last [d_state, ...])`` from state ``h0``."""
        *lead, length, _ = x_seq.shape
        a_bar, b_bar = discretize_zoh(self.A, self.B, self.dt)
        flat = x_seq.reshape(-1, self.d_model).astype(np.float64)  # one dtype keeps the product in BLAS
        u = (b_bar @ flat.T).reshape(self.d_state, *lead, length)
        y, h_last = diagonal_scan(a_bar, u, h0, cumulative, self.C.astype(u.dtype), overwrite_u=True)
        return y.real, h_last
