"""`compile`/`deploy` of a NIR file holding a block op: the op's own parameters reach the memory images,
kinds without NIR hardware and graphs of several ops fail with one clear line (exit 2)."""

import json

import nir
import numpy as np
import pytest

from sc_neurocore.backends.cores import CORES, REFUSED_OPS, core_for_graph
from sc_neurocore.backends.cores.attention.design import STIMULUS_FILE, emit_attention
from sc_neurocore.backends.cores.cpg.core import CpgCore
from sc_neurocore.backends.cores.cpg.design import W_FILE
from sc_neurocore.backends.cores.settings import BlockSettings
from sc_neurocore.backends.cores.ssm.core import SsmCore
from sc_neurocore.backends.cores.ssm.design import A_FILE, B_FILE, C_FILE
from sc_neurocore.passes.pipeline import block_graph
from sc_neurocore.cli.app import main
from sc_neurocore.errors import InputError, UnsupportedError
from sc_neurocore.export import write_nir
from sc_neurocore.frontend import read_nir
from sc_neurocore.ir import Graph, Input, Output, Scale
from sc_neurocore.ir import blocks as ops
from sc_neurocore.transformers import CPGPositionalEncoding, SpikeDrivenAttention, SpikformerSSA, SpikyStateSpace
from sc_neurocore.transformers.cpg import cpg_encoder_op
from sc_neurocore.transformers.spikformer import spike_driven_attention_op
from sc_neurocore.sim.twins.seed_attention import attention_spec_for, input_shift, quantise_attention
from sc_neurocore.sim.twins.ssm import quantise_ssm, ssm_spec_for
from sc_neurocore.transformers.spec import AttentionSpec, CpgSpec, SsmSpec
from sc_neurocore.transformers.ssm import spiky_state_space, spiky_state_space_op
from sc_neurocore.transformers.variant_ops import attention_variant_op

from tests.netbuild import D_MODEL, D_STATE, perturbed_attention, perturbed_ssm, single_op_file

def run(capsys, *argv):
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_every_block_kind_has_a_core_or_a_reason():
    built = [kind for core in CORES for kind in core.op_kinds]
    assert len(built) == len(set(built)) and not set(built) & set(REFUSED_OPS)
    assert set(built) | set(REFUSED_OPS) == set(ops.BLOCK_OPS)


def test_ssm_compile_writes_the_ops_own_memory_images(tmp_path, capsys):
    model = perturbed_ssm()
    path = single_op_file(tmp_path, spiky_state_space_op(model))
    code, out, err = run(capsys, "compile", path, "-o", tmp_path / "build", "--json")
    assert code == 0, err
    manifest = json.loads(out)["manifest"]
    assert manifest["block"] == "spiky_state_space" and manifest["provenance"]["model_sha256"]
    spec = SsmSpec(d_model=D_MODEL, d_state=D_STATE, dt=0.1, threshold=0.25, seed=3)
    own = SsmCore(spec, quantise_ssm(spec, model=model)).emit().files
    seeded = SsmCore(spec).emit().files
    for image in (A_FILE, B_FILE, C_FILE):
        written = (tmp_path / "build" / image).read_text()
        assert written == own[image]
        assert written != seeded[image], f"{image} must come from the op, not its seed"


def test_ssm_settings_reach_the_spec(tmp_path):
    graph = block_graph(single_op_file(tmp_path, spiky_state_space_op(perturbed_ssm())))
    name, core = core_for_graph(graph, BlockSettings(lanes=4, weight_bits=6, state_bits=14, steps=9))
    assert name == "op" and isinstance(core, SsmCore)
    assert (core.spec.lanes, core.spec.weight_bits, core.spec.state_bits, core.spec.T) == (4, 6, 14, 9)
    assert core.fixed.x_int.shape == (9, D_MODEL)
    # a power-of-two scale puts the largest 6-bit weight in (31 / 2, 31]
    assert 16 <= np.abs(core.fixed.b_int).max() <= 31


def test_cpg_compile_builds_the_ops_code(tmp_path, capsys):
    path = single_op_file(tmp_path, cpg_encoder_op(CPGPositionalEncoding(16, 40, mode="cpg-pe")))
    code, out, err = run(capsys, "compile", path, "-o", tmp_path / "build", "--lanes", "2")
    assert code == 0, err
    assert "cpg_encoder" in out
    expected = CpgCore(CpgSpec(d_model=16, positions=40, lanes=2)).emit().files
    assert (tmp_path / "build" / W_FILE).read_text() == expected[W_FILE]
    assert json.loads((tmp_path / "build" / "manifest.json").read_text())["spec"]["positions"] == 40


def test_emit_nir_writes_the_block_back(tmp_path, capsys):
    model = perturbed_ssm()
    path = single_op_file(tmp_path, spiky_state_space_op(model))
    again = tmp_path / "again.nir"
    code, _, err = run(capsys, "compile", path, "-o", tmp_path / "build", "--emit-nir", again)
    assert code == 0, err
    plain = nir.read(again)  # a plain NIR reader loads our export
    assert {"input", "op", "output"} <= set(plain.nodes)
    (name,) = read_nir(again).of_type(ops.SpikyStateSpaceOp)
    back = spiky_state_space(read_nir(again).nodes[name])
    for field in ("A", "B", "C"):
        np.testing.assert_array_equal(getattr(back, field), getattr(model, field))
    assert (back.d_model, back.d_state, back.threshold, back.dt, back.init, back.seed) == \
        (model.d_model, model.d_state, model.threshold, model.dt, model.init, model.seed)


def test_attention_compile_writes_the_ops_own_weights(tmp_path, capsys):
    model = perturbed_attention()
    path = single_op_file(tmp_path, spike_driven_attention_op(model))
    code, out, err = run(capsys, "compile", path, "-o", tmp_path / "build", "--tokens", "6", "--lanes", "2", "--json")
    assert code == 0, err
    manifest = json.loads(out)["manifest"]
    assert manifest["block"] == "spike_driven_attention" and manifest["provenance"]["options"]["tokens"] == 6
    spec = AttentionSpec(embed_dim=16, num_heads=2, tokens=6, T=4, threshold=0.25, seed=2, lanes=2)
    assert manifest["spec"] == spec.__dict__
    own = quantise_attention(spec, model=model, x_shift=6)  # rates in [0, 1] at 8 input bits: x_q = round(64 x)
    assert manifest["input_scale_shift"] == 6 and manifest["qkv_thresholds"] == own.theta
    written = (tmp_path / "build" / STIMULUS_FILE).read_text()
    assert written == emit_attention(spec, fixed=own).files[STIMULUS_FILE]
    weights = 3 * 16 * 16  # the stimulus streams W_q, W_k, W_v first, then the input
    seeded = emit_attention(spec).files[STIMULUS_FILE].splitlines()[:weights]
    assert written.splitlines()[:weights] != seeded, "the weight images must come from the op, not its seed"


def test_attention_settings_reach_the_spec_and_the_scale(tmp_path):
    model = perturbed_attention()
    graph = block_graph(single_op_file(tmp_path, spike_driven_attention_op(model)))
    _, core = core_for_graph(graph, BlockSettings(lanes=4, weight_bits=6, tokens=5, input_peak=3.0))
    assert core.spec == attention_spec_for(model, tokens=5, lanes=4, weight_bits=6)
    assert core.fixed.x_shift == input_shift(core.spec, 3.0) == 5  # 127 / 3 -> 2^5
    for name in ("q", "k", "v"):  # a power-of-two scale puts the largest 6-bit weight in (31 / 2, 31]
        assert 16 <= np.abs(core.fixed.w_int[name]).max() <= 31
    _, default = core_for_graph(graph)
    assert default.spec.tokens == 32 and default.fixed.x_shift == 6
    assert default.fixed.theta != core.fixed.theta


def test_attention_options_are_refused_for_other_blocks(tmp_path, capsys):
    path = single_op_file(tmp_path, spiky_state_space_op(perturbed_ssm()))
    code, _, err = run(capsys, "compile", path, "-o", tmp_path / "build", "--tokens", "8")
    assert code == 2
    assert err.strip() == "error: --tokens apply to spike-driven attention; node 'op' is spiky_state_space"


def test_a_bad_input_peak_is_refused(tmp_path, capsys):
    path = single_op_file(tmp_path, spike_driven_attention_op(perturbed_attention()))
    code, _, err = run(capsys, "compile", path, "-o", tmp_path / "build", "--input-peak", "0")
    assert code == 2 and "input peak must be a positive finite number, got 0.0" in err


def test_an_attention_model_of_another_shape_is_refused():
    with pytest.raises(InputError, match=r"W_q \(16, 16\) \(spec: \(32, 32\)\).*T 4 \(spec: 8\)"):
        quantise_attention(AttentionSpec(embed_dim=32, num_heads=2, T=8, threshold=0.25), model=perturbed_attention())


@pytest.mark.parametrize("command", ["compile", "deploy"])
def test_kinds_not_wired_yet_fail_with_one_line(tmp_path, capsys, command):
    path = single_op_file(tmp_path, attention_variant_op(SpikformerSSA(16, 4, seed=1)))
    code, _, err = run(capsys, command, path, "-o", tmp_path / "build")
    assert code == 2
    assert err.strip() == ("error: node 'op': hardware for spikformer_ssa from a NIR file is not wired yet; "
                           "deploy its YAML spec (docs/attention_hw.md)")
    assert not (tmp_path / "build").exists()


def test_the_trained_transformer_compiles_from_its_nir_file(tmp_path, capsys):
    """`train`'s model.nir -> the token-wise engine with that model's quantised weights and time steps."""
    from sc_neurocore.backends.cores.transformer.core import TRANSFORMER_BLOCK, TransformerCore
    from sc_neurocore.training.export import write_transformer_nir
    from sc_neurocore.sim.twins.transformer import FixedTransformer
    from sc_neurocore.training.modules.transformer import SpikingTransformer

    model = SpikingTransformer(8, 8, 10, dim=16, heads=2, seed=5)
    path = write_transformer_nir(model, tmp_path / "model.nir", {"steps": 3})
    name, core = core_for_graph(read_nir(path))
    assert (name, core.kind) == ("model", TRANSFORMER_BLOCK)
    expected = TransformerCore(FixedTransformer.from_model(model), 3).emit()
    assert core.emit().files == expected.files
    other = TransformerCore(FixedTransformer.from_model(SpikingTransformer(8, 8, 10, dim=16, heads=2, seed=6)), 3).emit()
    assert other.files["tfm_weights.mem"] != expected.files["tfm_weights.mem"]  # the images are the model's own
    code, _, err = run(capsys, "compile", path, "-o", tmp_path / "build")
    assert code == 0, err
    manifest = json.loads((tmp_path / "build" / "manifest.json").read_text())
    assert manifest["block"] == TRANSFORMER_BLOCK and manifest["steps"] == 3
    with pytest.raises(InputError, match="lanes 1"):
        core_for_graph(read_nir(path), BlockSettings(lanes=2))


def test_several_ops_are_named(tmp_path, capsys):
    nodes = {"input": Input((D_MODEL,)), "cpg": cpg_encoder_op(CPGPositionalEncoding(D_MODEL, 32, mode="cpg-pe")),
             "ssm": spiky_state_space_op(perturbed_ssm()), "output": Output((D_MODEL,))}
    graph = Graph(nodes, [("input", "cpg"), ("cpg", "ssm"), ("ssm", "output")]).validate()
    path = write_nir(graph, tmp_path / "chain.nir")
    code, _, err = run(capsys, "deploy", path, "-o", tmp_path / "build")
    assert code == 2
    assert "2 block ops (cpg (cpg_encoder), ssm (spiky_state_space))" in err and len(err.strip().splitlines()) == 1


def test_nodes_outside_the_op_are_named():
    nodes = {"input": Input((D_MODEL,)), "gain": Scale(np.full(D_MODEL, 2.0)),
             "ssm": spiky_state_space_op(perturbed_ssm()), "output": Output((D_MODEL,))}
    graph = Graph(nodes, [("input", "gain"), ("gain", "ssm"), ("ssm", "output")]).validate()
    with pytest.raises(UnsupportedError, match=r"nodes gain \(Scale\) sit outside block op 'ssm'"):
        core_for_graph(graph)


@pytest.mark.parametrize("block, message", [
    (lambda: spiky_state_space_op(SpikyStateSpace(D_MODEL, D_STATE, 0.25, 0.1, "s4d-lin", 0)), "A is complex"),
    (lambda: cpg_encoder_op(CPGPositionalEncoding(D_MODEL, 32)), "this encoder runs 'kuramoto'"),
])
def test_ops_without_hardware_semantics_are_refused(tmp_path, capsys, block, message):
    code, _, err = run(capsys, "compile", single_op_file(tmp_path, block()), "-o", tmp_path / "build")
    assert code == 2 and message in err


def test_an_unstable_state_matrix_is_refused():
    model = perturbed_ssm()
    model.A[2] = 0.5
    with pytest.raises(UnsupportedError, match="stable diagonal A < 0.*1 entries >= 0"):
        ssm_spec_for(model)


def test_a_model_of_another_shape_is_refused():
    with pytest.raises(InputError, match=r"B \(16, 8\) \(spec: \(32, 8\)\)"):
        quantise_ssm(SsmSpec(d_model=D_MODEL, d_state=32), model=perturbed_ssm())


def test_network_options_are_refused_for_a_block(tmp_path, capsys):
    path = single_op_file(tmp_path, spiky_state_space_op(perturbed_ssm()))
    code, _, err = run(capsys, "compile", path, "-o", tmp_path / "build", "--dt", "0.001", "--arith", "sc")
    assert code == 2 and "--dt, --arith apply to neuron networks" in err


def test_lanes_are_refused_for_a_network(capsys, tmp_path):
    from tests.conftest import REPO

    code, _, err = run(capsys, "compile", REPO / "examples" / "demo_lif.nir", "-o", tmp_path / "b", "--lanes", "2")
    assert code == 2 and "this model is a neuron network" in err


def test_an_attention_op_too_big_for_the_device_fails_before_any_tool(tmp_path, capsys):
    big = SpikeDrivenAttention(256, 4, 4, 0.25, 0)  # one weight matrix fills 4 SPRAMs
    code, _, err = run(capsys, "deploy", single_op_file(tmp_path, spike_driven_attention_op(big)), "-o", tmp_path / "b")
    assert code == 2 and "attention layer with lanes=1 does not fit up5k" in err and "65536 SPRAM words" in err
    assert not (tmp_path / "b").exists()


def test_a_block_too_big_for_the_device_fails_before_any_tool(tmp_path, capsys):
    big = SpikyStateSpace(64, 512, 1.0, 0.01, "s4d-real", 0)
    code, _, err = run(capsys, "deploy", single_op_file(tmp_path, spiky_state_space_op(big)), "-o", tmp_path / "b")
    assert code == 2 and "SSM layer with lanes=1 does not fit up5k" in err
    assert not (tmp_path / "b").exists()
