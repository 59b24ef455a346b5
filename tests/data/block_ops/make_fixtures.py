"""Writes the block-op NIR files of this folder (run once, with the code whose on-disk format they pin):
one file per CPG encoder mode (input -> op -> output), and the op's output on a fixed input.

    python tests/data/block_ops/make_fixtures.py
"""

from pathlib import Path

import numpy as np

from sc_neurocore.export import write_nir
from sc_neurocore.frontend import read_nir
from sc_neurocore.ir import Graph, Input, Output

HERE = Path(__file__).parent
CPG = {"cpg_kuramoto": dict(d_model=8, max_len=16, coupling=0.3, burn_in=20, seed=2),
       "cpg_pe": dict(d_model=8, max_len=16, mode="cpg-pe")}


def single_op_graph(op) -> Graph:
    return Graph({"input": Input(op.shape_in), "op": op, "output": Output(op.shape_out)},
                 [("input", "op"), ("op", "output")]).validate()


def fixture_input() -> np.ndarray:
    """``(B, tokens, d_model)`` for the CPG encoders."""
    return np.random.default_rng(4).random((2, 12, 8))


def main(make_op) -> None:
    """``make_op(name, parameters)`` is the op of ``CPG[name]`` in the writing code's API."""
    for name, parameters in CPG.items():
        path = write_nir(single_op_graph(make_op(name, parameters)), HERE / f"{name}.nir", force=True)
        np.save(HERE / f"{name}_output.npy", read_nir(path).nodes["op"].forward(fixture_input()))


if __name__ == "__main__":
    from sc_neurocore.transformers.cpg import CPGPositionalEncoding, cpg_encoder_op

    main(lambda name, parameters: cpg_encoder_op(CPGPositionalEncoding(**parameters)))
