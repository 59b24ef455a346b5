"""Block-op files written before the ops became plain data (tests/data/block_ops, made by its
make_fixtures.py with that code) read back to the same output, and writing the same encoder or model
today gives the same file byte for byte."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from sc_neurocore.export import write_nir
from sc_neurocore.frontend import read_nir
from sc_neurocore.sim.block_forward import block_forward
from sc_neurocore.transformers.cpg import CPGPositionalEncoding, cpg_encoder_op
from sc_neurocore.transformers.spikformer import spike_driven_attention_op
from sc_neurocore.transformers.ssm import spiky_state_space_op
from sc_neurocore.transformers.variant_ops import attention_variant_op

DATA = Path(__file__).parents[2] / "data" / "block_ops"
_spec = importlib.util.spec_from_file_location("make_block_op_fixtures", DATA / "make_fixtures.py")
fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fixtures)


@pytest.mark.parametrize("name", sorted(fixtures.CPG))
def test_an_older_cpg_file_reads_back_to_the_same_output(name):
    op = read_nir(DATA / f"{name}.nir").nodes["op"]
    want = np.load(DATA / f"{name}_output.npy")
    got = op.forward(fixtures.fixture_input())
    assert got.dtype == want.dtype and np.array_equal(got, want)
    assert np.array_equal(op.code, CPGPositionalEncoding(**fixtures.CPG[name]).encode(op.max_len))


@pytest.mark.parametrize("name", sorted(fixtures.CPG))
def test_writing_the_same_cpg_encoder_gives_the_same_bytes(name, tmp_path):
    op = cpg_encoder_op(CPGPositionalEncoding(**fixtures.CPG[name]))
    path = write_nir(fixtures.single_op_graph(op), tmp_path / "op.nir")
    assert path.read_bytes() == (DATA / f"{name}.nir").read_bytes()


# how today's API turns each fixture's seed-API model into its op
MODEL_OPS = {
    "seed_attention": spike_driven_attention_op,
    "ssa": attention_variant_op,
    "sdsa": attention_variant_op,
    "a2os2a": attention_variant_op,
    "ssm_real": spiky_state_space_op,
    "ssm_lin": spiky_state_space_op,
}


@pytest.mark.parametrize("name", sorted(fixtures.MODELS))
def test_an_older_model_op_file_reads_back_to_the_same_output(name):
    op = read_nir(DATA / f"{name}.nir").nodes["op"]
    want = np.load(DATA / f"{name}_output.npy")
    got = block_forward(op)(fixtures.MODELS[name][1]())
    assert got.dtype == want.dtype and np.array_equal(got, want)
    assert np.count_nonzero(want) > 0  # the comparison sees activity


@pytest.mark.parametrize("name", sorted(fixtures.MODELS))
def test_writing_the_same_model_gives_the_same_bytes(name, tmp_path):
    op = MODEL_OPS[name](fixtures.MODELS[name][0]())
    path = write_nir(fixtures.single_op_graph(op), tmp_path / "op.nir")
    assert path.read_bytes() == (DATA / f"{name}.nir").read_bytes()
