"""The transformer's integer twin: integer where the maths is integer, close to the float model."""

import numpy as np
import pytest

from sc_neurocore.errors import UnsupportedError
from sc_neurocore.training import SpikingTransformer, encode, load_digits_split
from sc_neurocore.sim.twins.transformer import FixedLIF, FixedTransformer, lif_steps, scale_shift
from sc_neurocore.sim.twins.quant import QuantSpec


def _model(seed=0, dim=16, heads=2):
    model = SpikingTransformer(8, 8, 10, dim=dim, heads=heads, tau=2.0, seed=seed)
    rng = np.random.default_rng(seed)
    for p in model.parameters():  # away from the initial values, as training would move them
        p.value += rng.normal(0, 0.05, p.value.shape).astype(p.value.dtype)
    return model


@pytest.fixture(scope="module")
def digits_input():
    data = load_digits_split()
    return encode(data.x_test[:40], "direct", 4, np.random.default_rng(0))


def test_lif_steps_matches_a_scalar_reference():
    rng = np.random.default_rng(3)
    current = rng.integers(-40000, 40000, (6, 5))
    lif = FixedLIF(leak=np.array([32768, 16384, 0, 65535, 1]), threshold=np.array([100, -5, 30000, 7, 0]),
                   frac_bits=0)
    spec = QuantSpec()
    got = lif_steps(current, lif, spec)
    for n in range(5):
        v = 0
        for t in range(6):
            v = v - ((int(lif.leak[n]) * v) >> 16)  # Python's >> floors negative numbers too
            v = min(max(v + int(current[t, n]), -32768), 32767)
            assert got[t, n] == (v > lif.threshold[n])
            v = 0 if v > lif.threshold[n] else v


def test_signals_are_integer_and_in_range(digits_input):
    fixed = FixedTransformer.from_model(_model())
    trace = fixed.trace(digits_input)
    for name in ("embed", "q0", "k0", "v0", "z0", "o0", "h0", "m0"):
        assert set(np.unique(trace[name])) <= {0, 1}, name
    assert trace["r1_0"].max() <= 2 and trace["r2_0"].max() <= 3
    for layer in (fixed.embed, fixed.blocks[0].attention.q, fixed.blocks[0].fc2):
        assert layer.weight.min() >= -128 and layer.weight.max() <= 127
        assert np.abs(layer.weight).max() >= 64  # the power-of-two grid uses the top bit


def test_score_is_the_popcount_of_anded_query_and_key_spikes(digits_input):
    fixed = FixedTransformer.from_model(_model())
    trace = fixed.trace(digits_input[:, :3])
    q, k, score = trace["q0"], trace["k0"], trace["score0"]
    d = q.shape[-1] // 2
    for t, b, h, i, j in np.ndindex(score.shape):
        words = q[t, b, i, h * d:(h + 1) * d] & k[t, b, j, h * d:(h + 1) * d]
        assert score[t, b, h, i, j] == words.sum()


def test_logits_are_integer_sums_of_head_weights(digits_input):
    fixed = FixedTransformer.from_model(_model())
    trace = fixed.trace(digits_input[:, :5])
    r = trace["r2_0"].reshape(4, 5, -1)
    expect = sum(r[t] @ fixed.head_weight.T for t in range(4)) + 4 * fixed.head_bias
    np.testing.assert_array_equal(trace["logits"], expect)


def test_twin_follows_the_float_model(digits_input):
    model = _model()
    float_logits = model.forward(digits_input)
    embed_float = model.embed_lif._cache[1]  # the float embedding spikes of the same forward pass
    trace = FixedTransformer.from_model(model).trace(digits_input)
    assert (trace["embed"] == embed_float).mean() > 0.97
    agree = (trace["logits"].argmax(1) == float_logits.argmax(1)).mean()
    assert agree >= 0.8, agree


def test_attention_scale_must_be_a_power_of_two():
    assert scale_shift(0.125) == 3 and scale_shift(1.0) == 0
    with pytest.raises(UnsupportedError, match="attention scale 0.1"):
        scale_shift(0.1)
    model = SpikingTransformer(8, 8, 10, dim=16, heads=2, attn_scale=0.3)
    with pytest.raises(UnsupportedError):
        FixedTransformer.from_model(model)
