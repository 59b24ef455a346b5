"""Convolution and pooling operators against a direct loop over output pixels (the definition)."""

import numpy as np
import pytest

from sc_neurocore.errors import UnsupportedError
from sc_neurocore.ir import AvgPool2d, Conv1d, Conv2d, SumPool2d
from sc_neurocore.kernels import Chain, DenseOp
from sc_neurocore.passes.lower import _structured_op


def _reference_conv2d(x, w, stride, pads, dilation, groups):
    batch, c_in, h, wd = x.shape
    c_out, c_g, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), pads[0], pads[1]))
    ho = (h + sum(pads[0]) - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    wo = (wd + sum(pads[1]) - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    out = np.zeros((batch, c_out, ho, wo))
    for o in range(c_out):
        g = o // (c_out // groups)
        for i in range(ho):
            for j in range(wo):
                rows = i * stride[0] + dilation[0] * np.arange(kh)
                cols = j * stride[1] + dilation[1] * np.arange(kw)
                patch = xp[:, g * c_g:(g + 1) * c_g][:, :, rows][:, :, :, cols]
                out[:, o, i, j] = (patch * w[o]).sum(axis=(1, 2, 3))
    return out


@pytest.mark.parametrize(
    "c_in, c_out, kernel, stride, padding, dilation, groups, pads",
    [
        (4, 6, (3, 2), (2, 1), (1, 0), (1, 2), 2, ((1, 1), (0, 0))),
        (2, 4, (3, 3), (1, 1), "same", (2, 1), 1, ((2, 2), (1, 1))),
        (2, 2, (4, 2), (1, 1), "same", (1, 1), 1, ((1, 2), (0, 1))),  # even kernel: more padding after
        (3, 3, (2, 2), (1, 1), "valid", (1, 1), 3, ((0, 0), (0, 0))),
    ],
)
def test_conv2d_matches_the_definition(c_in, c_out, kernel, stride, padding, dilation, groups, pads):
    rng = np.random.default_rng(0)
    weight = rng.normal(size=(c_out, c_in // groups, *kernel))
    node = Conv2d(input_shape=(9, 8), weight=weight, bias=np.zeros(c_out), stride=stride, padding=padding,
                  dilation=dilation, groups=groups)
    x = rng.normal(size=(3, c_in, 9, 8))
    expected = _reference_conv2d(x, weight, stride, pads, dilation, groups)
    assert expected.shape[1:] == node.shape_out
    np.testing.assert_allclose(_structured_op(node, "c").apply(x.reshape(3, -1)), expected.reshape(3, -1), atol=1e-12)


def test_conv1d_is_a_one_row_conv2d():
    rng = np.random.default_rng(1)
    weight = rng.normal(size=(4, 1, 3))
    node = Conv1d(input_shape=(11,), weight=weight, bias=np.zeros(4), stride=(2,), padding=(1,), dilation=(2,), groups=2)
    x = rng.normal(size=(2, 2, 11))
    expected = _reference_conv2d(x[:, :, None, :], weight[:, :, None, :], (1, 2), ((0, 0), (1, 1)), (1, 2), 2)
    assert node.shape_out == (4, 5)
    np.testing.assert_allclose(_structured_op(node, "c").apply(x.reshape(2, -1)), expected.reshape(2, -1), atol=1e-12)


@pytest.mark.parametrize("kind, factor", [(SumPool2d, 1.0), (AvgPool2d, 1 / 6)])
def test_pooling_sums_or_averages_windows(kind, factor):
    x = np.arange(2 * 7 * 6, dtype=float).reshape(1, 2, 7, 6)
    node = kind(input_shape=(2, 7, 6), kernel_size=(3, 2), stride=(2, 2), padding=(1, 0))
    expected = _reference_conv2d(x, np.ones((2, 1, 3, 2)), (2, 2), ((1, 1), (0, 0)), (1, 1), 2) * factor
    assert node.shape_out == expected.shape[1:] == (2, 4, 3)
    np.testing.assert_allclose(_structured_op(node, "p").apply(x.reshape(1, -1)), expected.reshape(1, -1))


def test_integer_application_is_exact_and_small_chains_densify():
    rng = np.random.default_rng(2)
    conv = Conv2d(input_shape=(4, 4), weight=rng.integers(-100, 100, (2, 1, 3, 3)).astype(float), bias=np.zeros(2),
                  padding=(1, 1))
    chain = Chain([_structured_op(conv, "c"), DenseOp(rng.integers(-9, 9, (3, 32)).astype(float))])
    spikes = rng.integers(0, 2, (5, 16))
    exact = (spikes @ chain.dense("c").T)
    np.testing.assert_array_equal(chain.apply_int(spikes), exact)
    assert chain.apply_int(spikes).dtype == np.int64
    big = Conv2d(input_shape=(64, 64), weight=np.ones((4, 1, 3, 3)), bias=np.zeros(4), padding=(1, 1))
    with pytest.raises(UnsupportedError, match="too large.*convolution"):
        Chain([_structured_op(big, "c")]).dense("the projection from 'x'")
