"""Shared test builders: small NIR graphs (one per neuron model, a small CNN) and block-op files, all seeded."""

import nir
import numpy as np

from sc_neurocore.export import write_nir
from sc_neurocore.ir import Graph, Input, Output
from sc_neurocore.transformers import (
    AdditionOnlyAttention, SpikeDrivenAttention, SpikeDrivenSelfAttention, SpikformerSSA, SpikyStateSpace,
)
from sc_neurocore.transformers.layers import BatchNorm


def neuron(kind: str, n: int, rng) -> nir.NIRNode:
    tau = rng.uniform(1e-3, 4e-3, n)
    th = rng.uniform(0.2, 0.6, n)
    if kind == "LIF":
        return nir.LIF(tau=tau, r=np.ones(n), v_leak=rng.normal(0, 0.02, n), v_threshold=th, v_reset=np.zeros(n))
    if kind == "IF":
        return nir.IF(r=np.full(n, 0.3), v_threshold=th, v_reset=np.zeros(n))
    if kind == "LI":
        return nir.LI(tau=tau, r=np.ones(n), v_leak=np.zeros(n))
    if kind == "I":
        return nir.I(r=np.full(n, 0.1))
    if kind == "CubaLIF":
        return nir.CubaLIF(tau_syn=tau / 2, tau_mem=tau, r=np.ones(n), v_leak=np.zeros(n), v_threshold=th * 0.2,
                           v_reset=np.zeros(n), w_in=np.ones(n))
    if kind == "CubaLI":
        return nir.CubaLI(tau_syn=tau / 2, tau_mem=tau, r=np.ones(n), v_leak=np.zeros(n), w_in=np.ones(n))
    if kind == "Threshold":
        return nir.Threshold(threshold=th)
    raise ValueError(kind)


def lif(n: int, **changes) -> nir.LIF:
    """n LIF neurons: tau 2 ms, r 1, threshold 1, no leak, reset to 0; `changes` override any of them."""
    params = dict(tau=np.full(n, 2e-3), r=np.ones(n), v_leak=np.zeros(n), v_threshold=np.ones(n), v_reset=np.zeros(n))
    params.update(changes)
    return nir.LIF(**params)


def two_layer(hidden_kind: str, output_kind: str, sizes=(12, 9, 5), seed=0) -> nir.NIRGraph:
    """Input -> Affine -> hidden -> Affine -> output, weights drawn so that both layers fire."""
    rng = np.random.default_rng(seed)
    n_in, n_hid, n_out = sizes
    return nir.NIRGraph.from_list(
        nir.Input(np.array([n_in])),
        nir.Affine(rng.normal(0.3, 0.6, (n_hid, n_in)), rng.normal(0, 0.05, n_hid)),
        neuron(hidden_kind, n_hid, rng),
        nir.Affine(rng.normal(0.4, 0.8, (n_out, n_hid)), np.zeros(n_out)),
        neuron(output_kind, n_out, rng),
        nir.Output(np.array([n_out])),
    )


def conv_neurons(kind: str, shape, threshold: float):
    if kind == "IF":
        return nir.IF(r=np.ones(shape), v_threshold=np.full(shape, threshold), v_reset=np.zeros(shape))
    if kind == "LIF":
        return nir.LIF(tau=np.full(shape, 2e-3), r=np.full(shape, 20.0), v_leak=np.full(shape, 0.05),
                       v_threshold=np.full(shape, threshold), v_reset=np.zeros(shape))
    assert kind == "LI"
    return nir.LI(tau=np.full(shape, 2e-3), r=np.full(shape, 20.0), v_leak=np.zeros(shape))


def small_cnn(hidden: str = "IF", output: str = "IF", seed: int = 0, dilated: bool = False) -> nir.NIRGraph:
    """2x11x11 -> conv 3x3 s2 p1 (+bias) -> conv 2x2 p1 -> sumpool 2 (7x7 -> 3x3: a source row and column
    left over, so padding must be told from them) -> conv 3x3 p1 (+bias) -> sumpool 2 s1 (overlapping
    windows) -> flatten -> affine (+bias). Every layer has an even number of output channels (two lanes);
    `dilated` dilates the first convolution by 2 and gives the second layer and the output an odd number
    (one lane).
    LIF and LI neurons get r = 20, so that their gain r dt / tau is 1."""
    rng = np.random.default_rng(seed)
    n1 = (4, 5, 5) if dilated else (4, 6, 6)
    c2_out, n_out = (3, 5) if dilated else (4, 6)
    n2 = (c2_out, n1[1] + 1, n1[2] + 1)
    pooled = (c2_out, n2[1] // 2, n2[2] // 2)
    n3 = (4, *pooled[1:])
    flat = 4 * (n3[1] - 1) * (n3[2] - 1)
    nodes = {
        "input": nir.Input(np.array([2, 11, 11])),
        "c1": nir.Conv2d(input_shape=(11, 11), weight=rng.normal(0.3, 0.5, (4, 2, 3, 3)), stride=2, padding=1,
                         dilation=2 if dilated else 1, groups=1, bias=rng.normal(0, 0.1, 4)),
        "n1": conv_neurons(hidden, n1, 0.8),
        "c2": nir.Conv2d(input_shape=n1[1:], weight=rng.normal(0.2, 0.5, (c2_out, 4, 2, 2)), stride=1,
                         padding=1, dilation=1, groups=1, bias=np.zeros(c2_out)),
        "n2": conv_neurons(hidden, n2, 0.5),
        "p2": nir.SumPool2d(kernel_size=np.array([2, 2]), stride=np.array([2, 2]), padding=np.array([0, 0])),
        "c3": nir.Conv2d(input_shape=pooled[1:], weight=rng.normal(0.2, 0.4, (4, c2_out, 3, 3)), stride=1, padding=1,
                         dilation=1, groups=1, bias=rng.normal(0, 0.1, 4)),
        "n3": conv_neurons(hidden, n3, 0.6),
        "p3": nir.SumPool2d(kernel_size=np.array([2, 2]), stride=np.array([1, 1]), padding=np.array([0, 0])),
        "flat": nir.Flatten(input_type={"input": np.array([4, n3[1] - 1, n3[2] - 1])}, start_dim=0, end_dim=-1),
        "fc": nir.Affine(rng.normal(0.3, 0.6, (n_out, flat)), rng.normal(0, 0.1, n_out)),
        "n4": conv_neurons(output, (n_out,), 0.7),
        "output": nir.Output(np.array([n_out])),
    }
    names = list(nodes)
    return nir.NIRGraph(nodes=nodes, edges=list(zip(names, names[1:])))


D_MODEL, D_STATE = 8, 16


def perturbed_ssm(seed: int = 3) -> SpikyStateSpace:
    """An S4D-Real layer whose A, B and C are NOT what its seed draws (as after training)."""
    model = SpikyStateSpace(D_MODEL, D_STATE, 0.25, 0.1, "s4d-real", seed)
    rng = np.random.default_rng(100 + seed)
    model.A = model.A * rng.uniform(0.5, 1.5, D_STATE)
    model.B = model.B + 0.3 * rng.standard_normal(model.B.shape)
    model.C = model.C * rng.uniform(0.5, 2.0, model.C.shape)
    return model


def perturbed_attention(seed: int = 2) -> SpikeDrivenAttention:
    """A small attention layer whose W_q, W_k and W_v are NOT what its seed draws (as after training)."""
    model = SpikeDrivenAttention(16, 2, 4, 0.25, seed)
    rng = np.random.default_rng(200 + seed)
    for name in ("W_q", "W_k", "W_v"):
        weight = getattr(model, name)
        setattr(model, name, weight * rng.uniform(0.5, 1.5, weight.shape) + 0.1 * rng.standard_normal(weight.shape))
    return model


def trained_attention_variant(kind: str, dim: int, heads: int):
    """An SSA, SDSA or A²OS²A layer (``kind``) whose batch-norm statistics are away from the identity, so
    that the folded arrays of its op are non-trivial."""
    if kind == "ssa":
        model = SpikformerSSA(dim, heads, seed=1)
        projections = (model.qkv, model.proj)
    else:
        model = SpikeDrivenSelfAttention(dim, seed=2) if kind == "sdsa" else AdditionOnlyAttention(dim, heads, seed=3)
        projections = (model.q, model.k, model.v, model.proj)
    rng = np.random.default_rng(0)
    for layer in projections:
        n = layer.out_dim
        layer.bn = BatchNorm(n, gamma=rng.uniform(0.5, 1.5, n), beta=rng.normal(0.5, 0.3, n),
                             mean=rng.normal(0, 0.1, n), var=rng.uniform(0.01, 0.05, n))
    return model


def single_op_graph(block) -> Graph:
    """input -> block -> output, validated."""
    return Graph({"input": Input(block.shape_in), "op": block, "output": Output(block.shape_out)},
                 [("input", "op"), ("op", "output")]).validate()


def single_op_file(tmp_path, block, name="block.nir"):
    return write_nir(single_op_graph(block), tmp_path / name)
