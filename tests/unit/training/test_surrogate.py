"""Surrogate functions: Heaviside forward, stated derivatives, primitives consistent with them."""

import numpy as np
import pytest

from sc_neurocore.training import SURROGATES, atan_surrogate

X = np.linspace(-2, 2, 41)


def test_atan_matches_the_formula():
    sur = atan_surrogate()
    assert sur.scale == 2.0
    expect = (2.0 / 2) / (1 + (np.pi / 2 * 2.0 * X) ** 2)
    np.testing.assert_allclose(sur.derivative(X), expect)
    assert sur.derivative(np.array(0.0)) == pytest.approx(1.0)


@pytest.mark.parametrize("name", sorted(SURROGATES))
def test_forward_is_strict_heaviside(name):
    x = np.array([-1.0, 0.0, 1e-6, 3.0], dtype=np.float32)
    out = SURROGATES[name]().forward(x)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [0, 0, 1, 1])


@pytest.mark.parametrize("name", sorted(SURROGATES))
def test_primitive_derivative_is_the_surrogate(name):
    sur = SURROGATES[name]()
    eps = 1e-6
    x = X + 0.013  # stay off the triangle's kinks
    numeric = (sur.primitive(x + eps) - sur.primitive(x - eps)) / (2 * eps)
    np.testing.assert_allclose(numeric, sur.derivative(x), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", sorted(SURROGATES))
def test_relaxed_uses_the_primitive(name):
    sur = SURROGATES[name]()
    np.testing.assert_array_equal(sur.relaxed().forward(X), sur.primitive(X))
    assert sur.relaxed().derivative(np.array(0.3)) == sur.derivative(np.array(0.3))
