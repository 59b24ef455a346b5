"""The SDSA and A²OS²A training layers: BPTT against finite differences, forward against the
inference definitions in ``sc_neurocore.transformers``, attention selection in the transformer."""

import numpy as np
import pytest
from .train_gradcheck import check_module

from sc_neurocore.errors import InputError, UnsupportedError
from sc_neurocore.training import atan_surrogate, sigmoid_surrogate
from sc_neurocore.training.modules.attention_variants import (
    TernaryLIF, TrainableA2OS2A, TrainableSDSA,
)

F64 = np.float64


def currents(shape, seed=1, scale=1.0):
    return np.random.default_rng(seed).standard_normal(shape) * scale


def test_ternary_lif_both_thresholds():
    layer = TernaryLIF(5, tau=3.0, threshold=0.8, learn_threshold=True, learn_tau=True,
                       surrogate=sigmoid_surrogate().relaxed(), dtype=F64)
    check_module(layer, currents((6, 3, 5), scale=1.5))


def test_ternary_lif_fires_both_signs():
    layer = TernaryLIF(1, threshold=1.0)
    s = layer.forward(np.array([[[1.5]], [[-1.5]], [[0.5]]]))
    assert s.ravel().tolist() == [1.0, -1.0, 0.0]


def test_sdsa_gradients():
    layer = TrainableSDSA(4, rng=np.random.default_rng(0), surrogate=atan_surrogate().relaxed(),
                                        dtype=F64)
    check_module(layer, currents((3, 2, 3, 4)))


def test_a2os2a_gradients():
    layer = TrainableA2OS2A(4, 2, rng=np.random.default_rng(0), surrogate=atan_surrogate().relaxed(),
                                  scale=0.5, dtype=F64)
    check_module(layer, currents((3, 2, 3, 4)))


@pytest.mark.parametrize("attention", ["sdsa", "a2os2a"])
def test_transformer_with_attention_variant(attention):
    from sc_neurocore.training import SpikingTransformer

    model = SpikingTransformer(3, 2, 4, dim=4, heads=2, depth=1, attn_scale=0.5, attention=attention,
                               surrogate=atan_surrogate().relaxed(), dtype=F64)
    assert model.blocks[0].attention.kind == attention
    check_module(model, currents((3, 2, 6)))


# Forward against sc_neurocore.transformers. Same weights; BN set to the identity plus a bias (eps = 0)
# so it folds exactly. Weights on a grid of 1/8 and binary inputs keep every sum exact in float32.
# The intentional differences: the inference neuron integrates x / tau and fires on h >= theta, the
# training neuron integrates x and fires on u > theta; then u = tau h, so the training thresholds are
# tau * theta lowered by EPS (below the grid step) to turn ">" into ">=".
TAU, EPS = 2.0, 1e-6


def _dyadic(block, rng, low=-8, high=8):
    block.weight = rng.integers(low, high + 1, block.weight.shape) / 8.0
    block.bn.eps, block.bn.beta = 0.0, rng.integers(-4, 5, block.bn.size) / 8.0


def _copy(linear, block):
    linear.weight.value[...] = block.weight.T
    linear.bias.value[...] = block.bn.beta


def _spikes(shape, seed=3):
    return (np.random.default_rng(seed).random(shape) < 0.5).astype(np.float32)


def _forward_both(layer, ref, linears, blocks):
    """``layer``'s linears take the weights of ``ref``'s blocks; both run on the same spikes: (ours, ref's)."""
    for linear, block in zip(linears, blocks):
        _copy(linear, block)
    x = _spikes((4, 2, 5, 8))
    return layer.forward(x.astype(F64)), ref.forward(x)


def _assert_same_spikes(named, ref):
    for name, got in named:
        np.testing.assert_array_equal(got, ref.last_spikes[name], err_msg=name)


def test_sdsa_forward_matches_inference():
    from sc_neurocore.transformers.sdsa import SpikeDrivenSelfAttention as InferenceSDSA

    rng = np.random.default_rng(0)
    ref = InferenceSDSA(8, tau=TAU, v_threshold=1.0, kv_v_threshold=0.5)
    for block in (ref.q, ref.k, ref.v, ref.proj):
        _dyadic(block, rng)
    layer = TrainableSDSA(8, rng=rng, tau=TAU, threshold=TAU * 1.0 - EPS, kv_threshold=TAU * 0.5 - EPS, dtype=F64)
    out, expect = _forward_both(layer, ref, (layer.W_q, layer.W_k, layer.W_v, layer.W_proj),
                                (ref.q, ref.k, ref.v, ref.proj))
    q, k, v, kv = layer._qkv
    _assert_same_spikes((("q", q), ("k", k), ("v", v), ("kv", kv)), ref)
    assert 0 < kv.mean() < 1 and 0 < q.mean() < 1  # the comparison sees spikes and silences
    np.testing.assert_array_equal(out, expect)


def test_a2os2a_forward_matches_inference():
    from sc_neurocore.transformers.a2os2a import AdditionOnlyAttention as InferenceA2OS2A

    rng = np.random.default_rng(1)
    ref = InferenceA2OS2A(8, num_heads=2, tau=TAU, v_threshold=1.0, attn_v_threshold=4.0)
    for block in (ref.q, ref.k, ref.proj):  # mostly positive weights: enough spikes to compare
        _dyadic(block, rng, -4, 12)
    _dyadic(ref.v, rng, -16, 16)  # V fires both signs
    layer = TrainableA2OS2A(8, 2, rng=rng, tau=TAU, threshold=TAU * 1.0 - EPS, attn_threshold=TAU * 4.0 - EPS,
                            scale=1.0, dtype=F64)
    out, expect = _forward_both(layer, ref, (layer.W_q, layer.W_k, layer.W_v, layer.W_out),
                                (ref.q, ref.k, ref.v, ref.proj))
    q, k, v, _ = layer._cache
    _assert_same_spikes((("q", q), ("k", k), ("v", v)), ref)
    assert (ref.last_spikes["v"] == 1).any() and (ref.last_spikes["v"] == -1).any()
    assert 0 < ref.last_spikes["attn"].mean() < 1 and 0 < expect.mean() < 1
    np.testing.assert_array_equal(out, expect)


@pytest.mark.parametrize("attention", ["sdsa", "a2os2a"])
def test_engine_refuses_other_attention(attention):  # NIR export: tests/unit/training/test_transformer_export.py
    from sc_neurocore.training import SpikingTransformer
    from sc_neurocore.sim.twins.transformer import FixedTransformer

    model = SpikingTransformer(8, 8, 10, dim=8, heads=2, attention=attention)
    with pytest.raises(UnsupportedError, match=f"not '{attention}'"):
        FixedTransformer.from_model(model)


def test_unknown_attention_is_refused():
    from sc_neurocore.training import SpikingTransformer

    with pytest.raises(InputError, match="attention 'softmax'"):
        SpikingTransformer(8, 8, 10, dim=8, heads=2, attention="softmax")


def test_config_attention_key():
    from sc_neurocore.training.config import validate_config

    assert validate_config({"model": {"type": "transformer"}})["model"]["attention"] == "ssa"
    assert validate_config({"model": {"type": "transformer", "attention": "a2os2a"}})["model"]["attention"] == "a2os2a"
    with pytest.raises(InputError, match="config key 'model.attention': 'linear' is not one of ssa, sdsa, a2os2a"):
        validate_config({"model": {"type": "transformer", "attention": "linear"}})
    with pytest.raises(InputError, match="config key 'model.attention': only the transformer"):
        validate_config({"model": {"type": "mlp", "attention": "sdsa"}})


@pytest.mark.slow
@pytest.mark.parametrize("attention", ["sdsa", "a2os2a"])
def test_training_run_learns_digits(attention, tmp_path):
    """`sc-neurocore train` with a non-SSA attention: learns well above chance (10 %), writes model.nir
    (no fixed-point accuracy: the engine runs SSA only)."""
    from sc_neurocore.training.config import validate_config
    from sc_neurocore.training.run import run_training

    cfg = validate_config({"model": {"type": "transformer", "attention": attention, "dim": 16, "heads": 2},
                           "encoding": {"kind": "direct", "steps": 4}, "epochs": 3, "output": str(tmp_path)})
    result = run_training(cfg)
    assert result.metrics["test_accuracy"] > 0.6
    assert "nir" in result.files and "fixed_test_accuracy" not in result.metrics
