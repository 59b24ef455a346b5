"""The spike-driven attention spec (validation, YAML) and its fixed twin against the float model."""

import numpy as np
import pytest

from sc_neurocore.errors import InputError
from sc_neurocore.sim.twins.seed_attention import (
    attention_formats, projection_formats, qkv_drives, qkv_spikes, quantise_attention, run_attention_core,
)
from sc_neurocore.transformers.spec import AttentionSpec, load_spec, spec_from_dict

SMALL = AttentionSpec(embed_dim=16, num_heads=2, tokens=6, T=4, threshold=0.25)


def test_heads_must_divide_the_embedding():
    with pytest.raises(InputError, match="num_heads from"):
        AttentionSpec(embed_dim=64, num_heads=3)


def test_lanes_must_divide_the_head_dimension():
    with pytest.raises(InputError, match=r"lanes 3 does not divide the head dimension 16.*1, 2, 4, 8, 16"):
        AttentionSpec(lanes=3)


def test_yaml_spec_rejects_unknown_keys(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("block: spike_driven_attention\nembed_dim: 64\nheads: 4\n")
    with pytest.raises(InputError, match="unknown option.*heads"):
        load_spec(path)
    path.write_text("block: spike_driven_attention\nembed_dim: 32\nnum_heads: 2\nlanes: 4\n")
    assert load_spec(path) == AttentionSpec(embed_dim=32, num_heads=2, lanes=4)
    with pytest.raises(InputError, match="block"):
        spec_from_dict({"block": "softmax"})


def test_fixed_core_equals_the_float_model_on_its_own_spikes():
    fixed = quantise_attention(AttentionSpec(threshold=0.25))
    fixed.model.forward(fixed.x)
    last = fixed.model._last
    q, k, v = (np.asarray(last[n][:, 0], dtype=np.int64) for n in "qkv")
    run = run_attention_core(q, k, v, 16)
    np.testing.assert_array_equal(run.acc, last["acc"][0])


def test_formats_bound_every_register():
    spec = SMALL
    formats = attention_formats(spec)
    q, k, v = qkv_spikes(quantise_attention(spec))
    ones = np.ones_like(q)
    worst = run_attention_core(ones, ones, -ones, spec.output_threshold)
    assert worst.u.min() >= -(1 << (formats.ab - 1))
    assert np.abs(worst.y).max() < 1 << (formats.yb - 1)
    assert set(np.unique(v)) <= {-1, 0, 1} and q.max() <= 1


def test_projection_formats_hold_the_worst_drive_and_every_threshold():
    fixed = quantise_attention(SMALL)
    formats = projection_formats(fixed)
    worst = SMALL.embed_dim * (1 << (SMALL.in_bits - 1)) * (1 << (SMALL.weight_bits - 1))
    assert worst <= (1 << (formats.db - 1)) - 1
    assert max(SMALL.T * worst, *fixed.theta.values()) < 1 << formats.vb
    drives = qkv_drives(fixed)
    assert drives["v"].shape == (2, 6, 8) and all(np.abs(d).max() <= worst for d in drives.values())
