"""Convolution (cross-correlation, as PyTorch and NIR define it), per group g and output channel o:

    y[o, i, j] = sum_{c, u, v} W[o, c, u, v] * xpad[g*C_g + c, i*s_h + u*d_h, j*s_w + v*d_w]

computed as an im2col: the k_h*k_w strided slices of the (zero-padded) input are copied into one
preallocated column buffer, and one batched BLAS matmul (float64) contracts it with the kernel. Sum
pooling is the depthwise convolution with a kernel of ones; average pooling the same with 1/(k_h*k_w)
(PyTorch's default count_include_pad=True); depthwise kernels skip the matmul and add the weighted slices.
The buffers are cached per thread and batch size, so the time loop allocates nothing for them; a large
batch (e.g. all time steps of an input layer at once) is processed in chunks of bounded buffer size.

`ConvOp.apply_reference` keeps the straightforward einsum for tests; the float32 exact path is
`ConvOp._apply_exact` (see :mod:`sc_neurocore.kernels.exact`).
"""

import threading
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import as_strided, sliding_window_view

from sc_neurocore.errors import UnsupportedError
from sc_neurocore.ir.shapes import conv_output_size
from sc_neurocore.kernels.exact import Operator

__all__ = ["ConvOp"]

COLUMN_BUFFER_LIMIT = 1 << 21  # float64 entries (16 MiB) of one im2col buffer; larger batches run in chunks


@dataclass(eq=False)
class ConvOp(Operator):
    """2-d grouped, strided, dilated cross-correlation without bias (1-d convolutions use H = 1).

    weight (C_out, C_in/groups, k_h, k_w); in_shape (C_in, H, W); pads ((top, bottom), (left, right)).
    """

    weight: np.ndarray
    in_shape: tuple[int, int, int]
    stride: tuple[int, int]
    pads: tuple[tuple[int, int], tuple[int, int]]
    dilation: tuple[int, int]
    groups: int

    def __post_init__(self):
        c_out, c_per_group, kh, kw = self.weight.shape
        c_in, h, w = self.in_shape
        self.out_shape = (
            c_out,
            conv_output_size(h, self.pads[0], kh, self.dilation[0], self.stride[0]),
            conv_output_size(w, self.pads[1], kw, self.dilation[1], self.stride[1]),
        )
        self.n_in = int(np.prod(self.in_shape))
        self.n_out = int(np.prod(self.out_shape))
        g = self.groups
        self._grouped = self.weight.reshape(g, c_out // g, *self.weight.shape[1:])
        # im2col form: (g, C_out/g, C_g*k_h*k_w) against columns (B, g, C_g*k_h*k_w, H_o*W_o)
        self._matrix = np.ascontiguousarray(self._grouped.reshape(g, c_out // g, -1), dtype=np.float64)
        self._matrix32 = self._matrix.astype(np.float32)  # used only where `through` proves it exact
        self._depthwise = c_per_group == 1 and c_out == g  # pooling: one input channel per output channel
        weights = np.asarray(self.weight, dtype=np.float64)
        self._unit = bool(np.all(weights == 1.0))
        self._taps = [np.ascontiguousarray(weights[:, 0, u, v])[None, :, None, None] for u in range(kh) for v in range(kw)]
        self._taps32 = [tap.astype(np.float32) for tap in self._taps]
        _, ho, wo = self.out_shape
        (pt, pb), (pl, pr) = self.pads
        self._padded_shape = (c_in, h + pt + pb, w + pl + pr)
        self._slices = [
            (slice(u * self.dilation[0], u * self.dilation[0] + (ho - 1) * self.stride[0] + 1, self.stride[0]),
             slice(v * self.dilation[1], v * self.dilation[1] + (wo - 1) * self.stride[1] + 1, self.stride[1]))
            for u in range(kh) for v in range(kw)
        ]
        phase_h = -(-(h + pt + pb) // self.stride[0])
        self._phase_shape = (phase_h, -(-(w + pl + pr) // self.stride[1]))  # one stride phase (exact path)
        self._chunk = max(1, COLUMN_BUFFER_LIMIT // max(1, c_in * kh * kw * ho * self._phase_shape[1]))
        self._local = threading.local()

    def __getstate__(self):  # the per-thread buffers are a cache: never pickled or deep-copied
        state = dict(self.__dict__)
        state.pop("_local", None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._local = threading.local()

    def _row_sum(self) -> float:
        return float(np.abs(np.asarray(self.weight, np.float64)).reshape(self.weight.shape[0], -1).sum(axis=1).max())

    def _buffers(self, batch: int, dtype=None):
        """Per thread, batch size and path: the zero-padded image and the column buffer (reused across
        calls). dtype None: the float64 im2col of `apply`; float32: `_apply_exact`'s; "depthwise32": the
        float32 padded image of `apply_float32`'s depthwise sums."""
        cache = getattr(self._local, "cache", None)
        if cache is None:
            cache = self._local.cache = {}
        key = (batch, dtype)
        if key not in cache:
            if len(cache) >= 4:
                cache.clear()
            (pt, pb), (pl, pr) = self.pads
            c_in = self.in_shape[0]
            _, kh, kw = self.weight.shape[1:]
            _, ho, wo = self.out_shape
            if dtype == "depthwise32":
                cache[key] = np.zeros((batch, *self._padded_shape), np.float32) if (pt or pb or pl or pr) else None
            elif dtype is None:
                padded = np.zeros((batch, *self._padded_shape)) if (pt or pb or pl or pr) else None
                columns = None
                if not self._depthwise:
                    columns = np.empty((batch, self.groups, c_in // self.groups, kh * kw, ho, wo))
                cache[key] = (padded, columns)
            else:  # stride phases, flat, with a zero tail for the last rows' overrun (see _apply_exact)
                (sh, sw), (dh, dw), (hq, wq) = self.stride, self.dilation, self._phase_shape
                phases = np.zeros(batch * c_in * sh * sw * hq * wq + (kw - 1) * dw + 1, dtype)
                columns = np.empty((batch, c_in, kh * kw, ho, wq), dtype)
                staging = np.zeros((batch, c_in, hq * sh, wq * sw), dtype) if sh * sw > 1 else None  # padded image
                step = phases.itemsize
                strides = (c_in * sh * sw * hq * wq * step, sh * sw * hq * wq * step, wq * step, step)
                taps = []  # each tap's columns: a read-only window on the phases, made once per buffer
                for k in range(kh * kw):
                    row, col = (k // kw) * dh, (k % kw) * dw
                    start = ((row % sh) * sw + col % sw) * hq * wq + (row // sh) * wq + col // sw
                    taps.append(as_strided(phases[start:], (batch, c_in, ho, wq), strides, writeable=False))
                cache[key] = (phases, columns, staging, taps)
        return cache[key]

    def _exact_grid(self, grid):
        """The output grid when the float32 exact path applies to an input on `grid`, else None."""
        return None if grid is None or self._depthwise else self.through(grid, np.float32)

    def apply(self, x, grid=None):
        batch = x.shape[0]
        if self._exact_grid(grid) is not None:
            return self._apply_exact(x, np.empty((batch, self.n_out)))
        if batch > self._chunk:
            return np.concatenate([self.apply(x[i : i + self._chunk]) for i in range(0, batch, self._chunk)])
        c_in, h, w = self.in_shape
        (pt, pb), (pl, pr) = self.pads
        padded, columns = self._buffers(batch)
        image = x.reshape(batch, c_in, h, w)
        if padded is not None:
            padded[:, :, pt : pt + h, pl : pl + w] = image
            image = padded
        _, ho, wo = self.out_shape
        if self._depthwise:
            return self._depthwise_sum(image, self._taps, np.float64)
        g = self.groups
        grouped = image.reshape(batch, g, c_in // g, *image.shape[2:])
        for k, (rows, cols) in enumerate(self._slices):
            columns[:, :, :, k] = grouped[:, :, :, rows, cols]
        out = np.matmul(self._matrix, columns.reshape(batch, g, -1, ho * wo))
        return out.reshape(batch, self.n_out)

    def _depthwise_sum(self, image, taps, dtype):
        """The depthwise convolution of a padded image [B, C, H_p, W_p]: the weighted slices added in `dtype`."""
        out = None
        for (rows, cols), tap in zip(self._slices, taps):
            window = image[:, :, rows, cols]
            if out is None:
                out = np.array(window, dtype=dtype) if self._unit else window * tap
            elif self._unit:
                out += window
            else:
                out += window * tap
        return out.reshape(image.shape[0], self.n_out)

    def apply_float32(self, x):
        batch = x.shape[0]
        if not self._depthwise:
            return self._apply_exact(x, np.empty((batch, self.n_out), np.float32))
        c_in, h, w = self.in_shape
        (pt, _), (pl, _) = self.pads
        image = x.reshape(batch, c_in, h, w)
        padded = self._buffers(batch, "depthwise32")
        if padded is not None:
            padded[:, :, pt : pt + h, pl : pl + w] = image
            image = padded
        return self._depthwise_sum(image, self._taps32, np.float32)

    def apply_int(self, x, grid=None):
        exact = self._exact_grid(grid)
        if exact is not None and exact.exponent >= 0:  # integer sums, exact in float32: cast straight to int64
            return self._apply_exact(x, np.empty((x.shape[0], self.n_out), np.int64))
        return super().apply_int(x, grid)

    def _apply_exact(self, x, out):
        """`_exact_chunk` over batches of bounded buffer size, into out [B, n_out] (float64 or int64)."""
        for i in range(0, x.shape[0], self._chunk):
            self._exact_chunk(x[i : i + self._chunk], out[i : i + self._chunk])
        return out

    def _exact_chunk(self, x, out):
        """The float32 exact path (see the module docstring), written into `out`.

        The zero-padded image is split into its s_h*s_w stride phases (phase (a, b) holds the rows = a and
        columns = b modulo the stride), so every tap reads one phase at stride 1. Each tap's columns are then
        taken a whole phase row wide (W_q = ceil(W_p / s_w) >= W_o): one contiguous copy per sample and
        channel instead of W_o-long (or strided) pieces; the extra columns read into the next row (or the
        buffer's zero tail) and are cropped from the result. The matmul stays one small gemm per sample:
        OpenBLAS runs those single-threaded in its small-matrix kernels, where one large threaded gemm is
        a little faster on an idle machine and many times slower on a busy one.
        """
        batch = x.shape[0]
        c_in, h, w = self.in_shape
        (pt, _), (pl, _) = self.pads
        _, ho, wo = self.out_shape
        (sh, sw), (hq, wq) = self.stride, self._phase_shape
        flat, columns, staging, taps = self._buffers(batch, np.float32)
        phases = flat[: batch * c_in * sh * sw * hq * wq].reshape(batch, c_in, sh, sw, hq, wq)
        if staging is None:  # stride 1: the one phase is the padded image
            phases[:, :, 0, 0, pt : pt + h, pl : pl + w] = x.reshape(batch, c_in, h, w)
        else:
            staging[:, :, pt : pt + h, pl : pl + w] = x.reshape(batch, c_in, h, w)
            phases[...] = staging.reshape(batch, c_in, hq, sh, wq, sw).transpose(0, 1, 3, 5, 2, 4)
        for k, tap in enumerate(taps):
            columns[:, :, k] = tap
        sums = np.matmul(self._matrix32, columns.reshape(batch, self.groups, -1, ho * wq))  # (B, g, C_out/g, H_o*W_q)
        out.reshape(batch, self.out_shape[0], ho, wo)[...] = sums.reshape(batch, -1, ho, wq)[:, :, :, :wo]

    def apply_reference(self, x):
        """The straightforward form (einsum over a strided window view): what `apply` must equal."""
        batch = x.shape[0]
        c_in, h, w = self.in_shape
        (pt, pb), (pl, pr) = self.pads
        image = x.reshape(batch, c_in, h, w)
        if pt or pb or pl or pr:
            image = np.pad(image, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
        _, _, kh, kw = self.weight.shape
        dh, dw = self.dilation
        sh, sw = self.stride
        windows = sliding_window_view(image, (dh * (kh - 1) + 1, dw * (kw - 1) + 1), axis=(2, 3))
        _, ho, wo = self.out_shape
        windows = windows[:, :, : (ho - 1) * sh + 1 : sh, : (wo - 1) * sw + 1 : sw, ::dh, ::dw]
        g = self.groups
        windows = windows.reshape(batch, g, c_in // g, ho, wo, kh, kw)
        out = np.einsum("bgcijuv,gocuv->bgoij", windows, self._grouped, optimize=True)
        return out.reshape(batch, self.n_out)

    def with_weight(self, weight) -> "ConvOp":
        return ConvOp(weight, self.in_shape, self.stride, self.pads, self.dilation, self.groups)

    def rows_scaled(self, gain: np.ndarray) -> "ConvOp":
        """Scale output neuron k by gain[k]: possible as a kernel change only if gain is per channel."""
        per_channel = gain.reshape(self.out_shape[0], -1)
        if not np.all(per_channel == per_channel[:, :1]):
            raise UnsupportedError(
                "a convolution feeds neurons whose input gain (R, dt/tau, w_in) differs within a channel; "
                "only per-channel gains can be folded into the kernel"
            )
        return self.with_weight(self.weight * per_channel[:, 0][:, None, None, None])
