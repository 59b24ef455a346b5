"""SpikformerSSA produces exactly the spikes of SpikingJelly 2.0.0's SpikingSelfAttention.

Both sides get the same weights and batch-norm statistics (SpikingJelly in eval mode). With weights
on a fixed-point grid every sum is exact in float32 whatever the summation order, so the spikes
must be identical at every stage (Q/K/V, attention, output). With arbitrary float32 weights the
two matrix products round differently, which may flip a spike whose membrane lies within rounding
distance of a threshold: that case is checked with a tiny tolerance.

torch 2.13.0 (CPU) and spikingjelly 2.0.0 come from the ``interop`` extra. In CI a missing peer is
a failure; on a developer machine it is a skip with the reason.
"""


import numpy as np
import pytest

from sc_neurocore.transformers import SpikformerSSA
from tests.conftest import require_module

pytestmark = pytest.mark.interop


def matched_pair(dim, heads, rng, exact=True, bias=0.1):
    torch = require_module("torch")
    attention = require_module("spikingjelly.activation_based.layer.attention")
    ours = SpikformerSSA(dim, heads)
    theirs = attention.SpikingSelfAttention(dim, heads).eval()
    pairs = ((ours.qkv, theirs.qkv_conv_bn), (ours.proj, theirs.proj_conv_bn))
    with torch.no_grad():
        for layer, (conv, bn) in pairs:
            size = layer.out_dim
            weight = rng.normal(0, 0.25, layer.weight.shape)
            if exact:
                layer.weight = np.round(weight * 64) / 64
                layer.bn.gamma = np.round(rng.uniform(0.5, 1.5, size) * 16) / 16
                layer.bn.beta = np.round(rng.normal(bias, 0.3, size) * 64) / 64
                layer.bn.mean = np.round(rng.normal(0, 0.3, size) * 64) / 64
                layer.bn.var = 4.0 ** rng.integers(-1, 2, size)
                layer.bn.eps = bn.eps = 0.0  # sqrt(var) exact: the folded scale is exact
            else:
                layer.weight = weight.astype(np.float32).astype(np.float64)
                layer.bn.gamma = rng.uniform(0.5, 1.5, size).astype(np.float32)
                layer.bn.beta = rng.normal(bias, 0.3, size).astype(np.float32)
                layer.bn.mean = rng.normal(0, 0.3, size).astype(np.float32)
                layer.bn.var = rng.uniform(0.5, 2.0, size).astype(np.float32)
                layer.bn.eps = bn.eps
            conv.weight.copy_(torch.tensor(layer.weight.T[:, :, None], dtype=torch.float32))
            bn.weight.copy_(torch.tensor(layer.bn.gamma, dtype=torch.float32))
            bn.bias.copy_(torch.tensor(layer.bn.beta, dtype=torch.float32))
            bn.running_mean.copy_(torch.tensor(layer.bn.mean, dtype=torch.float32))
            bn.running_var.copy_(torch.tensor(layer.bn.var, dtype=torch.float32))
    return ours, theirs


def run_theirs(theirs, x):
    """SpikingJelly takes [T, B, C, L]; returns the output and the qkv / attention spikes."""
    torch = require_module("torch")
    functional = require_module("spikingjelly.activation_based.functional")
    stages = {}
    hooks = [
        theirs.qkv_lif.register_forward_hook(lambda m, i, o: stages.__setitem__("qkv", o)),
        theirs.attn_lif.register_forward_hook(lambda m, i, o: stages.__setitem__("attn", o)),
    ]
    with torch.no_grad():
        functional.reset_net(theirs)
        out = theirs(torch.tensor(x.transpose(0, 1, 3, 2).copy()))
    for hook in hooks:
        hook.remove()
    steps, batch, tokens, dim = x.shape
    to_ours = {
        "qkv": stages["qkv"].numpy().transpose(0, 1, 3, 2),
        "attn": stages["attn"].numpy().reshape(steps, batch, dim, tokens).transpose(0, 1, 3, 2),
        "out": out.numpy().transpose(0, 1, 3, 2),
    }
    return to_ours


@pytest.mark.parametrize(
    "steps, batch, tokens, dim, heads, rate, bias",
    [(4, 2, 16, 64, 4, 0.15, 1.0), (4, 2, 64, 96, 8, 0.3, 0.5), (2, 1, 8, 48, 12, 0.5, 1.5)],
)
def test_identical_spikes_at_every_stage(steps, batch, tokens, dim, heads, rate, bias):
    rng = np.random.default_rng(tokens + dim)
    ours, theirs = matched_pair(dim, heads, rng, bias=bias)  # bias: enough Q/K/V activity to attend
    x = (rng.random((steps, batch, tokens, dim)) < rate).astype(np.float32)
    ours.forward(x)
    expected = run_theirs(theirs, x)
    for stage in ("qkv", "attn", "out"):
        assert np.array_equal(ours.last_spikes[stage], expected[stage]), stage
        assert 0 < expected[stage].mean() < 1, f"{stage} is silent or saturated: a vacuous comparison"


def test_float_weights_differ_only_at_rounding_ties():
    rng = np.random.default_rng(11)
    ours, theirs = matched_pair(64, 4, rng, exact=False, bias=1.0)
    x = (rng.random((4, 4, 32, 64)) < 0.2).astype(np.float32)
    ours.forward(x)
    expected = run_theirs(theirs, x)
    for stage in ("qkv", "attn", "out"):
        assert 0 < expected[stage].mean() < 1, stage
        assert np.mean(ours.last_spikes[stage] != expected[stage]) <= 1e-3, stage
