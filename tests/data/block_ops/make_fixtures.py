"""Writes the block-op NIR files of this folder (run once, with the code whose on-disk format they pin):
one file per op (input -> op -> output), and the op's output on a fixed input.

    python tests/data/block_ops/make_fixtures.py
"""

from pathlib import Path

import numpy as np

from sc_neurocore.export import write_nir
from sc_neurocore.frontend import read_nir
from sc_neurocore.ir import Graph, Input, Output

HERE = Path(__file__).parent
D = 8
CPG = {"cpg_kuramoto": dict(d_model=D, max_len=16, coupling=0.3, burn_in=20, seed=2),
       "cpg_pe": dict(d_model=D, max_len=16, mode="cpg-pe")}


def single_op_graph(op) -> Graph:
    return Graph({"input": Input(op.shape_in), "op": op, "output": Output(op.shape_out)},
                 [("input", "op"), ("op", "output")]).validate()


def fixture_input() -> np.ndarray:
    """``(B, tokens, d_model)`` for the CPG encoders."""
    return np.random.default_rng(4).random((2, 12, D))


def _trained_bn(*layers, seed=0):
    """Batch-norm statistics away from the identity, so the folded arrays are non-trivial."""
    from sc_neurocore.transformers.layers import BatchNorm

    rng = np.random.default_rng(seed)
    for layer in layers:
        n = layer.out_dim
        layer.bn = BatchNorm(n, gamma=rng.uniform(0.5, 1.5, n), beta=rng.normal(0.5, 0.3, n),
                             mean=rng.normal(0, 0.1, n), var=rng.uniform(0.01, 0.05, n))


def _ssa():
    from sc_neurocore.transformers import SpikformerSSA

    model = SpikformerSSA(D, 2, seed=1)
    _trained_bn(model.qkv, model.proj)
    return model


def _sdsa():
    from sc_neurocore.transformers import SpikeDrivenSelfAttention

    model = SpikeDrivenSelfAttention(D, seed=2)
    _trained_bn(model.q, model.k, model.v, model.proj)
    return model


def _a2os2a():
    from sc_neurocore.transformers import AdditionOnlyAttention

    model = AdditionOnlyAttention(D, 2, seed=3)
    _trained_bn(model.q, model.k, model.v, model.proj)
    return model


def _seed_attention():
    from sc_neurocore.transformers import SpikeDrivenAttention

    return SpikeDrivenAttention(D, 2, 8, 0.05, 5)


def _ssm(init):
    from sc_neurocore.transformers import SpikyStateSpace

    return lambda: SpikyStateSpace(D, 6, 0.5, 0.05, init, 4)


def _rates(*shape):
    return lambda: np.random.default_rng(5).random(shape)


# name -> (the seed-API model, its input in the op's layout)
MODELS = {
    "seed_attention": (_seed_attention, _rates(2, 5, D)),
    "ssa": (_ssa, _rates(6, 2, 5, D)),
    "sdsa": (_sdsa, _rates(6, 2, 5, D)),
    "a2os2a": (_a2os2a, _rates(6, 2, 5, D)),
    "ssm_real": (_ssm("s4d-real"), lambda: 3 * np.random.default_rng(5).random((2, 20, D))),
    "ssm_lin": (_ssm("s4d-lin"), lambda: 3 * np.random.default_rng(5).random((2, 20, D))),
}


def write(name: str, op, x: np.ndarray, forward) -> None:
    """``name.nir`` holding `op`, and ``name_output.npy``: what `forward` of the op read back gives on `x`."""
    path = write_nir(single_op_graph(op), HERE / f"{name}.nir", force=True)
    np.save(HERE / f"{name}_output.npy", forward(read_nir(path).nodes["op"])(x))


if __name__ == "__main__":
    from sc_neurocore.sim.block_forward import block_forward
    from sc_neurocore.transformers.cpg import CPGPositionalEncoding, cpg_encoder_op
    from sc_neurocore.transformers.spikformer import spike_driven_attention_op
    from sc_neurocore.transformers.ssm import spiky_state_space_op
    from sc_neurocore.transformers.variant_ops import attention_variant_op

    for name, parameters in CPG.items():
        write(name, cpg_encoder_op(CPGPositionalEncoding(**parameters)), fixture_input(), lambda op: op.forward)
    wrappers = {"seed_attention": spike_driven_attention_op, "ssa": attention_variant_op,
                "sdsa": attention_variant_op, "a2os2a": attention_variant_op,
                "ssm_real": spiky_state_space_op, "ssm_lin": spiky_state_space_op}
    for name, (model, x) in MODELS.items():
        write(name, wrappers[name](model()), x(), block_forward)
