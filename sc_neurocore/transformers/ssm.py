"""The seed API's spiking state-space layer: a diagonal S4D layer with an integrate-and-fire output gate.

The model (HiPPO init, zero-order hold, the gate) is defined in :mod:`sc_neurocore.models.ssm`;
:meth:`SpikyStateSpace.step` is its step, :meth:`SpikyStateSpace.forward` the same dynamics over whole
sequences in closed form, tile by tile.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sc_neurocore.errors import InputError
from sc_neurocore.ir.blocks import SpikyStateSpaceOp
from sc_neurocore.models.integrate_and_fire import if_running_sum, if_running_sum_time_major
from sc_neurocore.models.ssm import diagonal_scan, discretize_zoh, hippo_diagonal, scan_chunk, spiky_ssm_step
from sc_neurocore.transformers._checks import last_dim, positive_float, positive_int, real_array

__all__ = ["SpikyStateSpace", "spiky_state_space_op", "spiky_state_space"]

# forward works through long sequences in tiles: bounded memory, and working arrays of about a
# megabyte that the allocator reuses (fresh multi-megabyte arrays cost page faults on every call)
TILE = 2048
PIECE = 128  # rows per BLAS call in forward (see _matmul_in_pieces)


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

    # working arrays of forward, kept between calls (fresh megabyte arrays cost page faults)
    _work: dict = field(default_factory=dict, init=False, repr=False)

    def step(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """One time step for ``x`` of shape ``(d_model,)`` or ``(batch, d_model)``: ``(spikes, y)``."""
        x = real_array("x", x, (1, 2))
        last_dim("x", x, self.d_model)
        a_bar, b_bar = discretize_zoh(self.A, self.B, self.dt)
        if self._h is None or self._h.shape[:-1] != x.shape[:-1]:
            self._h = np.zeros(x.shape[:-1] + (self.d_state,), np.result_type(a_bar, np.float64))
            self._v = np.zeros(x.shape, np.float64)
        (spikes, y), (self._h, self._v) = spiky_ssm_step(x, (self._h, self._v), (a_bar, b_bar, self.C, self.threshold))
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
        part is one chunked scan that yields the running sum of ``y`` directly, and the gate is
        the closed form of :func:`sc_neurocore.models.integrate_and_fire.if_running_sum`; the state and the membrane carry over
        between tiles. No Python loop over time steps in the common case. The final state is
        kept, so :meth:`step` continues where the sequence ended. For real ``A`` (S4D-Real) the
        scan is :class:`_TiledScan` and the gate writes the time-major spikes directly (reused
        working arrays, no transposes); complex ``A`` takes :meth:`_forward_general`
        (:func:`diagonal_scan` per tile). Both give the same spikes (pinned by a test).
        """
        self.reset()
        x_seq = self._sequence(x_seq)
        dtype = x_seq.dtype if np.issubdtype(x_seq.dtype, np.floating) else np.float64
        spikes = np.empty(x_seq.shape, dtype)
        a_bar, b_bar = discretize_zoh(self.A, self.B, self.dt)
        if np.iscomplexobj(a_bar) or x_seq.shape[-2] == 0:
            return self._forward_general(x_seq, spikes)
        scan = _TiledScan(a_bar, b_bar, self.C, x_seq.shape[:-2], self._work)
        self._work = scan.work
        h, v = None, None
        for start in range(0, x_seq.shape[-2], TILE):
            stop = min(start + TILE, x_seq.shape[-2])
            running, h = scan.run(x_seq[..., start:stop, :], h, v)
            # spikes straight into the time-major output, in its dtype
            out = spikes[..., start:stop, :]
            v = if_running_sum_time_major(running, stop - start, self.threshold, out, scan.counts(running.shape))
        self._h = np.moveaxis(h, 0, -1)
        self._v = v
        return spikes

    def _forward_general(self, x_seq: np.ndarray, spikes: np.ndarray) -> np.ndarray:
        """The straightforward tiled forward (any ``A``): :func:`diagonal_scan` and
        :func:`sc_neurocore.models.integrate_and_fire.if_running_sum` per tile."""
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


def spiky_state_space_op(layer: SpikyStateSpace) -> SpikyStateSpaceOp:
    """The IR op of ``layer``: its ``A, B, C`` (the arrays themselves) and hyper-parameters."""
    return SpikyStateSpaceOp(layer.A, layer.B, layer.C, layer.threshold, layer.dt, layer.init, layer.seed)


def spiky_state_space(op: SpikyStateSpaceOp) -> SpikyStateSpace:
    """The layer ``op`` holds (its hyper-parameters checked as the layer checks them, its arrays ``op``'s)."""
    b = np.asarray(op.B)
    if b.ndim != 2 or np.shape(op.A) != (b.shape[0],) or np.shape(op.C) != (b.shape[1], b.shape[0]):
        raise InputError(f"A {np.shape(op.A)}, B {b.shape} and C {np.shape(op.C)} do not fit (d_state,), "
                         f"(d_state, d_model) and (d_model, d_state)")
    layer = SpikyStateSpace(b.shape[1], b.shape[0], op.threshold, op.dt, op.init, op.seed)
    layer.A, layer.B, layer.C = op.A, op.B, op.C
    return layer


class _TiledScan:
    """The linear part of :meth:`SpikyStateSpace.forward` for real diagonal ``a``, tile by tile.

    The same chunked closed form as :func:`diagonal_scan` (``cumulative=True`` with a readout),
    specialised: the per-chunk matrices are built once per call rather than per tile, the chunk
    ends go through a fixed second level (chunks of chunks, ``SUPER`` at a time, then a short loop)
    instead of the general recursion, the carried gate membrane is folded into the per-chunk
    offsets, and every working array is reused across tiles and calls.
    """

    SUPER = 16

    def __init__(self, a, b_bar, readout, lead, work):
        self.n, self.lead = a.shape[0], tuple(lead)
        self.m = int(np.prod(self.lead, dtype=np.int64))
        self.a, self.b_bar, self.readout = a, b_bar, np.asarray(readout, np.float64)
        self.rows = self.readout.shape[0]
        k = self.k = scan_chunk(TILE)
        self.powers = _powers(a, k)  # [N, K + 1]
        self.end_weights = np.ascontiguousarray(self.powers[:, None, k - 1 :: -1, None])  # [N, 1, K, 1]
        self.toeplitz = _toeplitz(np.cumsum(self.powers[:, :-1], axis=1))  # running sums in a chunk
        a_k = self.powers[:, -1]
        self.a_k = a_k
        sup = self.SUPER
        self.super_powers = _powers(a_k, sup)  # [N, SUPER + 1]: (a^K)^0 .. (a^K)^SUPER
        self.super_end_weights = np.ascontiguousarray(self.super_powers[:, None, sup - 1 :: -1, None])
        self.super_toeplitz = _toeplitz(self.super_powers[:, :-1])[:, None]  # [N, 1, S, S]
        most = max(1, -(-(-(-TILE // k) - 1) // sup))  # super-chunks in a full tile
        self.top_toeplitz = _toeplitz(_powers(self.super_powers[:, -1], most)[:, :-1])  # [N, S, S]
        self.work = work if work.get("shape") == (self.n, self.m, self.rows) else {"shape": (self.n, self.m, self.rows)}

    def _buffer(self, name, shape):
        buf = self.work.get(name)
        size = int(np.prod(shape, dtype=np.int64))
        if buf is None or buf.size < size:
            buf = self.work[name] = np.empty(size)
        return buf[:size].reshape(shape)

    def counts(self, shape):
        return self._buffer("counts", shape)

    def run(self, x_tile, h0, v):
        """``(running sums of y plus v [..., C, K, d_model] float64, h_last [N, ...])`` of one tile
        (time-major, padded to whole chunks: the first ``L`` steps count)."""
        n, m, k, sup = self.n, self.m, self.k, self.SUPER
        length = x_tile.shape[-2]
        chunks = -(-length // k)
        blocks = self._buffer("u", (n, m, chunks, k))
        flat = x_tile.reshape(-1, x_tile.shape[-1]).astype(np.float64, copy=False)
        if m == 1 and chunks * k == length:
            _matmul_in_pieces(flat, self.b_bar, blocks.reshape(n, length).T)
        else:
            blocks[..., -1, :] = 0.0
            blocks.reshape(n, m, chunks * k)[..., :length] = (self.b_bar @ flat.T).reshape(n, m, length)
        if chunks > 1:
            # true ends of chunks 0 .. C-2: s_c = a^K s_{c-1} + e_c, in super-chunks of SUPER chunks
            supers = -(-(chunks - 1) // sup)
            ends = self._buffer("ends", (n, m, supers, sup))
            flat_ends = ends.reshape(n, m, supers * sup)
            flat_ends[..., chunks - 1 :] = 0.0
            np.matmul(blocks[..., :-1, :], self.end_weights, out=flat_ends[..., : chunks - 1, None])
            if h0 is not None:
                ends[..., 0, 0] += self.a_k[:, None] * h0.reshape(n, m)
            if supers > 1:
                # super-chunk ends from zero state, then their true values (a third, one-block level)
                super_ends = (ends[..., :-1, :] @ self.super_end_weights)[..., 0]  # [N, M, S - 1]
                true_ends = super_ends @ self.top_toeplitz[:, : supers - 1, : supers - 1]
                ends[..., 1:, 0] += self.a_k[:, None, None] * true_ends
            carried = self._buffer("carried", (n, m, supers, sup))
            np.matmul(ends, self.super_toeplitz, out=carried)
            blocks[..., 1:, 0] += self.a[:, None, None] * carried.reshape(n, m, -1)[..., : chunks - 1]
        if h0 is not None:
            blocks[..., 0, 0] += self.a[:, None] * h0.reshape(n, m)
        tail = (length - 1) % k
        h_last = (blocks[..., -1, : tail + 1] @ np.ascontiguousarray(self.powers[:, tail::-1, None]))[..., 0]
        sums = self._buffer("sums", (n, m * chunks, k))
        np.matmul(blocks.reshape(n, m * chunks, k), self.toeplitz, out=sums)
        # running sums of the chunk totals, added per chunk after the readout (fewer rows)
        offsets = self._buffer("offsets", (n, m, chunks))
        offsets[..., 0] = 0.0
        np.cumsum(sums.reshape(n, m, chunks, k)[..., :-1, -1], axis=-1, out=offsets[..., 1:])
        # readout straight into the time-major layout of the spikes: [..., C, K, d_model]
        rows = self.rows
        out = self._buffer("out", (*self.lead, chunks, k, rows))
        row_offsets = self._buffer("row_offsets", (m, chunks, rows))
        _matmul_in_pieces(sums.reshape(n, -1).T, self.readout, out.reshape(-1, rows))
        np.matmul(offsets.reshape(n, -1).T, self.readout.T, out=row_offsets.reshape(-1, rows))
        if v is not None:  # the carried membrane: one more offset per chunk
            row_offsets += v.reshape(m, 1, rows)
        out.reshape(m, chunks, k, rows)[...] += row_offsets[:, :, None, :]
        return out, h_last.reshape(n, *self.lead)


def _matmul_in_pieces(left, right, out, rows=PIECE):
    """``out[...] = left @ right.T`` for 2-D arrays as a batch of products of ``rows`` rows each:
    the same sums (each output element is still one dot product), but every product stays under
    OpenBLAS's threading threshold, so no thread hand-off on a loaded machine (single-threaded it
    is also faster at these sizes)."""
    pieces = left.shape[0] // rows
    whole = pieces * rows
    if pieces:
        np.matmul(
            left[:whole].reshape(pieces, rows, -1),
            right.T,
            out=out[:whole].reshape(pieces, rows, -1),
        )
    if whole < left.shape[0]:
        np.matmul(left[whole:], right.T, out=out[whole:])


def _powers(a, k):
    powers = np.ones((a.shape[0], k + 1), a.dtype)  # a^0 .. a^K
    np.cumprod(np.broadcast_to(a[:, None], (a.shape[0], k)), axis=1, out=powers[:, 1:])
    return powers


def _toeplitz(kernel):
    k = kernel.shape[1]
    lag = np.arange(k)[None, :] - np.arange(k)[:, None]  # [j, k] -> k - j
    return np.where(lag >= 0, kernel[:, np.maximum(lag, 0)], 0)  # [N, j, k]
