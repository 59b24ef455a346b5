"""Writes the block-op NIR files of this folder (run once, with the code whose on-disk format they pin):
one file per op (input -> op -> output), and the op's output on a fixed input.

    python tests/data/block_ops/make_fixtures.py
"""

import sys
from pathlib import Path

import numpy as np

from sc_neurocore.export import write_nir
from sc_neurocore.frontend import read_nir

if __name__ == "__main__":  # run as a script: the repository (for tests.netbuild) is not on the path yet
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from tests.netbuild import single_op_graph, trained_attention_variant  # noqa: E402

HERE = Path(__file__).parent
D = 8
CPG = {"cpg_kuramoto": dict(d_model=D, max_len=16, coupling=0.3, burn_in=20, seed=2),
       "cpg_pe": dict(d_model=D, max_len=16, mode="cpg-pe")}


def fixture_input() -> np.ndarray:
    """``(B, tokens, d_model)`` for the CPG encoders."""
    return np.random.default_rng(4).random((2, 12, D))


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
    "ssa": (lambda: trained_attention_variant("ssa", D, 2), _rates(6, 2, 5, D)),
    "sdsa": (lambda: trained_attention_variant("sdsa", D, 2), _rates(6, 2, 5, D)),
    "a2os2a": (lambda: trained_attention_variant("a2os2a", D, 2), _rates(6, 2, 5, D)),
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
