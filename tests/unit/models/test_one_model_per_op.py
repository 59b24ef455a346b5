"""One model per op: the inference classes and the trainable layers share their definitions and no names.

The SDSA and A²OS²A trainable layers are compared with their inference blocks in
``tests/unit/training/test_attention_variant_gradients.py``; Spikformer SSA is compared here. Same rules:
dyadic weights and binary input keep every sum exact; the inference neuron integrates ``x / tau`` and
fires on ``h >= theta``, the training neuron integrates ``x`` and fires on ``u > theta`` (``u = tau h``),
so the training thresholds are ``tau * theta`` lowered by ``EPS``.
"""

import ast
from pathlib import Path

import numpy as np

import sc_neurocore
from sc_neurocore.models.attention import spiking_attention
from sc_neurocore.models.sdsa import sdsa_attention
from sc_neurocore.training.modules.attention import TrainableSpikformerSSA
from sc_neurocore.transformers import SpikformerSSA

TAU, EPS, D, HEADS = 2.0, 1e-6, 8, 2


def test_trainable_ssa_forward_equals_the_inference_block():
    rng = np.random.default_rng(4)
    ref = SpikformerSSA(D, HEADS, scale=0.25, tau=TAU, attn_v_threshold=0.5)
    ref.qkv.weight = rng.integers(-2, 9, ref.qkv.weight.shape) / 8.0  # mostly positive: Q, K, V spike
    ref.qkv.bn.eps = 0.0  # no bias: the trainable Q, K, V projections have none
    ref.proj.weight = rng.integers(-8, 9, ref.proj.weight.shape) / 8.0
    ref.proj.bn.eps, ref.proj.bn.beta = 0.0, rng.integers(-4, 5, D) / 8.0
    layer = TrainableSpikformerSSA(D, HEADS, rng=rng, tau=TAU, threshold=TAU * 1.0 - EPS,
                                   attn_threshold=TAU * 0.5 - EPS, scale=0.25, dtype=np.float64)
    for i, linear in enumerate((layer.W_q, layer.W_k, layer.W_v)):
        linear.weight.value[...] = ref.qkv.weight[:, i * D:(i + 1) * D].T
    layer.W_out.weight.value[...] = ref.proj.weight.T
    layer.W_out.bias.value[...] = ref.proj.bn.beta
    x = (np.random.default_rng(5).random((4, 2, 6, D)) < 0.5).astype(np.float32)
    out = layer.forward(x.astype(np.float64))
    expect = ref.forward(x)
    np.testing.assert_array_equal(np.concatenate(layer._qkv, axis=-1), ref.last_spikes["qkv"])
    assert 0 < ref.last_spikes["attn"].mean() < 1 and 0 < expect.mean() < 1  # not a vacuous comparison
    np.testing.assert_array_equal(out, expect)


def test_attention_cores_are_exact_on_integers_in_any_float_width():
    """Float32 models, float64 trainable layers and int64 twins call the same cores: on spikes they agree."""
    rng = np.random.default_rng(6)
    q, k, v = ((rng.random((3, 5, D)) < 0.5).astype(np.int64) for _ in range(3))
    v = v * rng.choice([-1, 1], v.shape)
    ident = lambda y: (y, None)  # noqa: E731
    for dtype in (np.float32, np.float64):
        got = spiking_attention(*(a.astype(dtype) for a in (q, k, v)), HEADS, ident)[2]
        np.testing.assert_array_equal(got, spiking_attention(q, k, v, HEADS, ident)[2])
        gated, _, _, count = sdsa_attention(*(a.astype(dtype) for a in (q, k, abs(v))), lambda c: (c > 1, None))
        np.testing.assert_array_equal(count, (k * abs(v)).sum(axis=-2))
        np.testing.assert_array_equal(gated, q * (count > 1)[..., None, :])


def test_no_class_name_is_defined_twice_in_the_library():
    """E.g. the IR's NIR node ``LIF`` and the trainable ``TrainableLIF``; the SDSA block and the Spikformer SSA layer."""
    root = Path(sc_neurocore.__file__).parent
    seen: dict[str, str] = {}
    for path in sorted(root.rglob("*.py")):
        where = str(path.relative_to(root))
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef):
                assert node.name not in seen, f"{node.name} is defined in {seen[node.name]} and {where}"
                seen[node.name] = where
