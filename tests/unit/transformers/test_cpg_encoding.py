"""CPGPositionalEncoding: coupled Kuramoto rings lock, relative position is a phase shift; CPG-PE."""

import numpy as np
import pytest

from sc_neurocore.errors import InputError
from sc_neurocore.transformers import CPGPositionalEncoding


def wrapped(angle):
    return np.angle(np.exp(1j * angle))


def test_rings_lock_into_a_travelling_wave():
    cpe = CPGPositionalEncoding(d_model=32, max_len=256)
    lags = wrapped(np.diff(cpe.phases, axis=2))
    assert np.allclose(lags, np.pi / 2, atol=1e-9)  # neighbours a quarter turn apart, like a gait


def test_relative_position_is_the_same_rotation_everywhere():
    cpe = CPGPositionalEncoding(d_model=32, max_len=256)
    for shift in (1, 7, 50):
        step = np.exp(1j * (cpe.phases[shift:] - cpe.phases[:-shift]))  # rotations, free of 2 pi wraps
        assert np.allclose(step, step[0], atol=1e-9)  # independent of the position p
        assert np.allclose(step[0], step[0][:, :1], atol=1e-9)  # and the same for every oscillator of a ring
    centred = 2 * cpe.encode(256) - 1
    similarity = centred[:-10] @ centred[10:].T
    assert np.allclose(np.diag(similarity), similarity[0, 0], atol=1e-9)  # <e(p), e(p + 10)> is one number


def test_coupling_does_the_locking():
    free = CPGPositionalEncoding(d_model=16, max_len=64, coupling=1e-9, burn_in=100)
    lags = wrapped(np.diff(free.phases, axis=2))
    assert not np.allclose(lags, np.pi / 2, atol=1e-3)  # the seeded perturbation stays without coupling


def test_encode_and_spikes():
    cpe = CPGPositionalEncoding(d_model=64, max_len=512)
    enc = cpe.encode(100)
    assert enc.shape == (100, 64) and enc.min() >= 0 and enc.max() <= 1
    spikes = cpe.encode_spikes(100)
    assert spikes.dtype == np.int8 and set(np.unique(spikes)) == {0, 1}
    assert np.array_equal(spikes, cpe.encode_spikes(100))
    seeded = [cpe.encode_spikes(50, np.random.default_rng(9)) for _ in range(2)]
    assert np.array_equal(*seeded)
    assert np.array_equal(cpe.encode(10), CPGPositionalEncoding(d_model=64, max_len=512).encode(10))
    assert cpe.encode(0).shape == (0, 64)


def test_cpg_pe_formula():
    cpe = CPGPositionalEncoding(d_model=8, max_len=300, mode="cpg-pe")
    p = np.arange(300)[:, None]
    omega = 10000.0 ** (-2 * np.arange(4) / 8)
    spikes = cpe.encode_spikes(300)
    assert np.array_equal(spikes[:, 0::2], (np.sin(p * omega) - 0.8 >= 0).astype(np.int8))
    assert np.array_equal(spikes[:, 1::2], (np.cos(p * omega) - 0.8 >= 0).astype(np.int8))
    assert np.allclose(cpe.encode(300)[:, 0::2], (1 + np.sin(p * omega)) / 2)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(d_model=7, mode="cpg-pe"), "even"),
        (dict(d_model=10), "multiple of oscillators"),
        (dict(d_model=-4), "d_model"),
        (dict(d_model=8, mode="sinusoid"), "mode must be one of"),
        (dict(d_model=8, coupling=1.5), "coupling"),
    ],
)
def test_bad_configuration(kwargs, match):
    with pytest.raises(InputError, match=match):
        CPGPositionalEncoding(**kwargs)


def test_bad_lengths():
    cpe = CPGPositionalEncoding(d_model=8, max_len=16)
    with pytest.raises(InputError, match="exceeds max_len"):
        cpe.encode(17)
    with pytest.raises(InputError, match="non-negative"):
        cpe.encode_spikes(-1)
