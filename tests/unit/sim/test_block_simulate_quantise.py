"""Block graphs through `sc-neurocore simulate` (their own float run path) and the quantisation
entry point for block ops (integer twin against float, on the op's own arrays)."""

import json

import numpy as np
import pytest

from sc_neurocore.cli.app import main
from sc_neurocore.errors import InputError, UnsupportedError
from sc_neurocore.export import write_nir
from sc_neurocore.frontend import read_nir
from sc_neurocore.ir import Graph, Input, Output
from sc_neurocore.ir import blocks as ops
from sc_neurocore.sim.block_quantisation import quantise_block
from sc_neurocore.sim.block_forward import block_forward
from sc_neurocore.sim.blocks import run_block_graph
from sc_neurocore.transformers import (
    AdditionOnlyAttention, CPGPositionalEncoding, SpikeDrivenAttention, SpikeDrivenSelfAttention, SpikformerSSA,
    SpikyStateSpace,
)
from sc_neurocore.sim.twins.seed_attention import quantisation_report, quantise_attention
from sc_neurocore.sim.twins.cpg import cpg_report
from sc_neurocore.sim.twins.attention_variants import _calibrate
from sc_neurocore.transformers.cpg import cpg_encoder_op
from sc_neurocore.transformers.spikformer import spike_driven_attention_op
from sc_neurocore.transformers.spec import AttentionSpec, CpgSpec
from sc_neurocore.transformers.ssm import spiky_state_space_op
from sc_neurocore.transformers.variant_ops import attention_variant_op

D = 16


def _chain_graph(attention: ops.BlockOp) -> Graph:
    nodes = {"input": Input((D,)), "cpg": cpg_encoder_op(CPGPositionalEncoding(D, 64)), "attention": attention,
             "output": Output((D,))}
    return Graph(nodes, [("input", "cpg"), ("cpg", "attention"), ("attention", "output")]).validate()


@pytest.fixture
def chain_file(tmp_path):
    """CPG -> SSA, the SSA's batch-norm calibrated on position-coded spikes (as a trained one would be)."""
    ssa = SpikformerSSA(D, 4, seed=0)
    x = (np.random.default_rng(9).random((6, 2, 16, D)) < 0.5) + CPGPositionalEncoding(D, 64).encode(16)
    _calibrate([(ssa.qkv, 1.0, 1.0)], x)
    ssa.forward(x)
    _calibrate([(ssa.proj, 1.0, 1.0)], ssa.last_spikes["attn"])
    return write_nir(_chain_graph(attention_variant_op(ssa)), tmp_path / "cpg_ssa.nir")


def _run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_simulate_runs_a_cpg_to_attention_chain(capsys, chain_file, tmp_path):
    code, out, err = _run(capsys, "simulate", str(chain_file), "--steps", "6", "--batch", "2", "--rate", "0.5",
                          "--json", "--out", str(tmp_path / "run.npz"))
    assert code == 0, err
    summary = json.loads(out)
    assert "block ops" in summary["mode"] and "cpg (cpg_encoder) -> attention (spikformer_ssa)" in summary["mode"]
    assert (summary["steps"], summary["batch"]) == (6, 2)
    saved = np.load(tmp_path / "run.npz")
    assert saved["output"].shape == (6, 2, 16, D)  # [T, B, tokens, D]
    # what the CLI ran is the ops' own forward passes on the same seeded input
    x = (np.random.default_rng(0).random((6, 2, 16, D)) < 0.5).astype(np.float64)
    graph = read_nir(chain_file)
    want = block_forward(graph.nodes["attention"])(graph.nodes["cpg"].forward(x))
    assert np.array_equal(saved["output"], want)
    rows = {row["name"]: row for row in summary["populations"]}
    assert rows["attention"]["spikes"] == int(want.sum()) > 0


def test_simulate_reads_an_input_file_and_refuses_fixed_mode(capsys, chain_file, tmp_path):
    x = (np.random.default_rng(3).random((4, 1, 5, D)) < 0.4).astype(np.float64)
    np.save(tmp_path / "x.npy", x)
    code, out, err = _run(capsys, "simulate", str(chain_file), "--input", str(tmp_path / "x.npy"), "--json")
    assert code == 0, err
    assert json.loads(out)["steps"] == 4
    code, _, err = _run(capsys, "simulate", str(chain_file), "--mode", "fixed")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "float only" in err
    np.save(tmp_path / "bad.npy", x[..., :3])
    code, _, err = _run(capsys, "simulate", str(chain_file), "--input", str(tmp_path / "bad.npy"))
    assert code == 2 and "TBND input with last axis 16" in err


def test_a_graph_with_a_neuron_beside_block_ops_is_refused():
    from sc_neurocore.ir import IF

    graph = _chain_graph(attention_variant_op(SpikformerSSA(D, 4)))
    graph.nodes["gate"] = IF(np.ones(D), np.ones(D), np.zeros(D))
    graph.edges = [("input", "cpg"), ("cpg", "attention"), ("attention", "gate"), ("gate", "output")]
    with pytest.raises(UnsupportedError, match="'gate' \\(IF\\) cannot run in a graph of block ops"):
        run_block_graph(graph.validate(), np.zeros((2, 1, 3, D)))


def test_seed_attention_report_equals_the_existing_twin():
    spec = AttentionSpec(embed_dim=32, num_heads=4, tokens=12, T=8, seed=3)
    fixed = quantise_attention(spec)
    want = quantisation_report(fixed)
    got = quantise_block(spike_driven_attention_op(fixed.model), fixed.x)
    assert got["report"]["theta"] == want["theta"]
    assert got["output_spike_agreement"] == want["output_spike_agreement"]
    assert got["report"]["q_spike_agreement"] == want["q_spike_agreement"]


def test_seed_attention_report_uses_the_ops_own_weights():
    op = SpikeDrivenAttention(32, 4, 8, seed=3)
    op.W_q = op.W_q * 4.0  # not the seed's weights any more: the twin must follow
    report = quantise_block(spike_driven_attention_op(op), seed=1)["report"]
    reference = quantisation_report(quantise_attention(AttentionSpec(embed_dim=32, num_heads=4, tokens=16, T=8, seed=3),
                                                       np.random.default_rng(1).random((16, 32))))
    assert report["q_rate"] != reference["q_rate"]


def test_cpg_report_equals_the_existing_twin():
    got = quantise_block(cpg_encoder_op(CPGPositionalEncoding(D, 48, mode="cpg-pe")), phase_bits=10)
    assert got["report"] == cpg_report(CpgSpec(d_model=D, positions=48, phase_bits=10))
    with pytest.raises(UnsupportedError, match="'cpg-pe'"):
        quantise_block(cpg_encoder_op(CPGPositionalEncoding(D, 48)))


def test_ssm_report_costs_something_and_follows_state_bits():
    op = spiky_state_space_op(SpikyStateSpace(D, 32, 0.5, 0.1, seed=2))
    wide = quantise_block(op, state_bits=16)
    narrow = quantise_block(op, weight_bits=3, in_bits=3, state_bits=6)
    assert 0.8 < wide["output_spike_agreement"] <= 1.0
    assert narrow["output_spike_agreement"] < wide["output_spike_agreement"]
    assert wide["report"]["float_spike_rate"] > 0.02
    with pytest.raises(UnsupportedError, match="S4D-Real"):
        quantise_block(spiky_state_space_op(SpikyStateSpace(D, 8, init="s4d-lin")))


def _calibrated(variant, x):
    if variant == "ssa":
        op = SpikformerSSA(D, 2)
        _calibrate([(op.qkv, 1.0, 1.0)], x)
        return attention_variant_op(op)
    if variant == "sdsa":
        op = SpikeDrivenSelfAttention(D)
        _calibrate([(layer, 1.0, 1.0) for layer in (op.q, op.k, op.v)], x)
        return attention_variant_op(op)
    op = AdditionOnlyAttention(D, 2)
    _calibrate([(op.q, 1.0, 1.0), (op.k, 1.0, 0.0), (op.v, 2.0, 0.0)], x)
    return attention_variant_op(op)


@pytest.mark.parametrize("variant", ["ssa", "sdsa", "a2os2a"])
def test_variant_cores_agree_with_the_float_op(variant):
    x = np.random.default_rng(5).random((8, 1, 12, D))
    block = _calibrated(variant, x)
    # frac_bits >= T: the tau-2 integer LIF is exact (sim.twins.attention_variants), up to A2OS2A's quantised K
    exact = quantise_block(block, x[:, 0], frac_bits=8)
    assert exact["report"]["output_rate"] > 0.01
    if variant == "a2os2a":
        assert exact["output_spike_agreement"] > 0.97
    else:
        assert exact["output_spike_agreement"] == 1.0
    coarse = quantise_block(block, x[:, 0], frac_bits=1)
    assert coarse["output_spike_agreement"] <= exact["output_spike_agreement"]


def test_quantise_block_refuses_what_has_no_twin():
    from sc_neurocore.models.cpg import phase_chain_code

    with pytest.raises(UnsupportedError, match="'trained_position' has no integer twin"):
        quantise_block(ops.TrainedPositionOp(phase_chain_code(D, 4)))
    with pytest.raises(InputError, match="last axis 16"):
        quantise_block(attention_variant_op(SpikformerSSA(D, 2)), np.zeros((4, 3, 5)))
