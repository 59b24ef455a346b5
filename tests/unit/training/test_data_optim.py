"""Data loading and encodings, optimisers, parameter bookkeeping."""

import numpy as np
import pytest

from sc_neurocore.errors import InputError
from sc_neurocore.training import (
    SGD, Adam, TrainableLinear, Parameter, SpikingMLPClassifier, encode, load_digits_split, load_npz, shift_images,
)


def test_digits_split_is_fixed_and_stratified():
    a, b = load_digits_split(0.3, seed=0), load_digits_split(0.3, seed=0)
    np.testing.assert_array_equal(a.x_test, b.x_test)
    assert len(a.x_train) + len(a.x_test) == 1797 and a.x_train.dtype == np.float32
    assert 0 <= a.x_train.min() and a.x_train.max() <= 1 and a.image_shape == (8, 8)
    counts = np.bincount(a.y_test, minlength=10)
    assert counts.min() >= 50 and counts.max() <= 56
    assert not np.array_equal(load_digits_split(0.3, seed=1).y_test, a.y_test)


def test_encodings():
    x = np.array([[0.0, 0.5, 1.0]], np.float32)
    rate = encode(np.full((2000, 3), 0.25, np.float32), "rate", 4, np.random.default_rng(0))
    assert rate.shape == (4, 2000, 3) and set(np.unique(rate)) <= {0.0, 1.0}
    assert rate.mean() == pytest.approx(0.25, abs=0.01)
    lat = encode(x, "latency", 5, np.random.default_rng(0))
    np.testing.assert_array_equal(lat[:, 0, :].sum(axis=0), [0, 1, 1])
    assert lat[4, 0, 1] == 1 or lat[2, 0, 1] == 1  # round((1 - 0.5) * 4) = 2
    assert lat[0, 0, 2] == 1  # the brightest pixel fires first
    np.testing.assert_array_equal(encode(x, "direct", 3, None)[2], x)
    seq = encode(np.arange(64, dtype=np.float32)[None] / 64, "sequential", 8, None, (8, 8))
    assert seq.shape == (8, 1, 8) and seq[1, 0, 0] == pytest.approx(8 / 64)
    with pytest.raises(InputError, match="unknown encoding"):
        encode(x, "phase", 3, None)


def test_shift_images_moves_by_at_most_one_pixel():
    img = np.zeros((1, 64), np.float32)
    img[0, 27] = 1.0  # row 3, column 3
    out = shift_images(np.repeat(img, 50, axis=0), (8, 8), np.random.default_rng(0))
    rows, cols = np.divmod(out.argmax(axis=1), 8)
    assert out.sum() == 50 and set(rows) <= {2, 3, 4} and set(cols) <= {2, 3, 4}


def test_npz_user_data(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "d.npz"
    np.savez(path, x_train=rng.random((10, 4)), y_train=np.arange(10) % 3, x_test=rng.random((5, 4)),
             y_test=np.arange(5) % 3)
    data = load_npz(path)
    assert data.n_features == 4 and data.n_classes == 3
    np.savez(path, x_train=rng.random((10, 4)) * 2, y_train=np.arange(10) % 3, x_test=rng.random((5, 4)),
             y_test=np.arange(5) % 3)
    with pytest.raises(InputError, match=r"\[0, 1\]"):
        load_npz(path)
    np.savez(path, x_train=rng.random((10, 4)))
    with pytest.raises(InputError, match="missing arrays"):
        load_npz(path)


def _quadratic(opt_cls, **kw):
    p = Parameter(np.array([3.0, -2.0]))
    opt = opt_cls([p], **kw)
    for _ in range(300):
        p.grad[...] = 2 * p.value  # d/dp |p|^2
        opt.step()
    return p.value


def test_optimisers_minimise_a_quadratic():
    assert np.abs(_quadratic(SGD, lr=0.05, momentum=0.9)).max() < 1e-3
    assert np.abs(_quadratic(Adam, lr=0.05)).max() < 1e-2


def test_adam_first_step_is_lr_times_sign():
    p = Parameter(np.array([1.0, 1.0]))
    p.grad[...] = [0.3, -5.0]
    Adam([p], lr=0.1).step()
    np.testing.assert_allclose(p.value, [0.9, 1.1], atol=1e-6)


def test_weight_decay_shrinks_weights_without_gradient():
    p, q = Parameter(np.array([1.0])), Parameter(np.array([1.0]))
    SGD([p], lr=0.1, momentum=0.0, weight_decay=0.5).step()
    Adam([q], lr=0.1, weight_decay=0.5).step()
    assert p.value[0] == pytest.approx(0.95) and q.value[0] == pytest.approx(0.95)


def test_optimiser_state_round_trip():
    p = Parameter(np.array([1.0, 2.0]))
    opt = Adam([p], lr=0.1)
    p.grad[...] = 1.0
    opt.step()
    other = Adam([Parameter(np.zeros(2))], lr=0.1)
    other.load_state(opt.state())
    assert other.t == 1
    np.testing.assert_array_equal(other.m[0], opt.m[0])


def test_state_dict_round_trip_and_errors():
    a, b = SpikingMLPClassifier([4, 5, 3], learn_threshold=True, seed=0), SpikingMLPClassifier([4, 5, 3], learn_threshold=True, seed=1)
    names = list(a.state_dict())
    assert "linears.0.weight" in names and "neurons.1.threshold" in names
    b.load_state_dict(a.state_dict())
    np.testing.assert_array_equal(b.linears[0].weight.value, a.linears[0].weight.value)
    with pytest.raises(InputError, match="missing"):
        b.load_state_dict({})


def test_seeded_initialisation_is_reproducible():
    w1 = TrainableLinear(3, 2, rng=np.random.default_rng(5)).weight.value
    w2 = TrainableLinear(3, 2, rng=np.random.default_rng(5)).weight.value
    np.testing.assert_array_equal(w1, w2)
    assert w1.dtype == np.float32


def test_leak_must_be_stable():
    from sc_neurocore.training import TrainableLIF

    with pytest.raises(InputError, match="tau must be at least dt"):
        TrainableLIF(3, tau=2e-4, dt=1.0)
    with pytest.raises(InputError, match="learnable tau"):
        TrainableLIF(3, tau=1.0, dt=1.0, learn_tau=True)
