"""The CLI as a user meets it: exit codes, one-line errors, JSON output, files written whole."""

import json
import subprocess
import sys

import h5py
import nir
import numpy as np
import pytest

from sc_neurocore.backends.cores import core_for_spec
from sc_neurocore.cli.app import main
from sc_neurocore.transformers.spec import load_spec

from tests.conftest import REPO
from tests.netbuild import two_layer

DEMO = str(REPO / "examples" / "demo_lif.nir")


def _run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _assert_one_line_error(err: str, fragment: str):
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert fragment in lines[0]
    assert "Traceback" not in err


@pytest.fixture
def nan_model(tmp_path):
    graph = two_layer("LIF", "LIF")
    path = tmp_path / "nan.nir"
    nir.write(path, graph)
    with h5py.File(path, "r+") as handle:
        weights = handle["node/nodes/affine/weight"]  # the first Affine of the chain
        data = weights[()]
        data[0, 0] = np.nan
        weights[...] = data
    return path


def test_version(capsys):
    code, out, _ = _run(capsys, "--version")
    assert code == 0 and out.startswith("sc-neurocore ")


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["simulate", "missing.nir"], "no such file"),
        (["simulate", DEMO, "--mode", "exact"], "--mode must be one of"),
        (["simulate", DEMO, "--rate", "1.5"], "--rate"),
        (["simulate", DEMO, "--dt", "0"], "--dt"),
        (["deploy", DEMO, "--target", "ecp5"], "unknown target 'ecp5'"),
        (["deploy", DEMO, "--device", "up9k"], "unknown iCE40 device 'up9k'"),
        (["deploy", DEMO, "--package", "qfn99"], "qfn99"),
        (["compile", DEMO, "--weight-bits", "40"], "--weight-bits"),
        (["report", "no_such_build"], "no_such_build"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, argv, fragment):
    code, _, err = _run(capsys, *argv)
    assert code == 2
    _assert_one_line_error(err, fragment)


def test_not_hdf5_and_nan_parameters(capsys, tmp_path, nan_model):
    bogus = tmp_path / "bogus.nir"
    bogus.write_bytes(b"\x00" * 64)
    code, _, err = _run(capsys, "simulate", str(bogus))
    assert code == 2
    _assert_one_line_error(err, "not readable as HDF5")
    code, _, err = _run(capsys, "compile", str(nan_model), "-o", str(tmp_path / "out"))
    assert code == 2
    _assert_one_line_error(err, "NaN or inf")
    assert not (tmp_path / "out").exists()


def test_cnn_simulates_and_compiles_to_the_convolution_core(capsys, nir_paper, tmp_path):
    cnn = str(nir_paper / "02_cnn" / "cnn_sinabs.nir")
    code, _, _ = _run(capsys, "simulate", cnn, "--steps", "3", "--json")
    assert code == 0
    code, _, _ = _run(capsys, "compile", cnn, "-o", str(tmp_path / "cnn"))
    assert code == 0
    assert (tmp_path / "cnn" / "snn_conv_core.sv").is_file()
    code, _, err = _run(capsys, "compile", cnn, "--arith", "sc", "-o", str(tmp_path / "cnn_sc"))
    assert code == 2  # the stochastic core has no convolutions
    _assert_one_line_error(err, "onvolution")
    assert not (tmp_path / "cnn_sc").exists()


def test_simulate_json_and_saved_arrays(capsys, tmp_path):
    out = tmp_path / "run.npz"
    code, stdout, _ = _run(capsys, "simulate", DEMO, "--mode", "fixed", "--steps", "50", "--rate", "0.2",
                           "--out", str(out), "--voltages", "--json")
    assert code == 0
    summary = json.loads(stdout)
    assert summary["mode"] == "fixed" and summary["steps"] == 50
    assert [p["name"] for p in summary["populations"]] == ["lif1", "lif2"]
    assert 0.5 < summary["quantisation"]["spike_agreement"] <= 1.0
    saved = np.load(out)
    assert saved["output"].shape == (50, 1, 10)
    assert saved["v/lif1"].shape == (50, 1, 32)
    code, _, err = _run(capsys, "simulate", DEMO, "--out", str(out))
    assert code == 2 and "--force" in err


def test_simulate_reads_input_files(capsys, tmp_path):
    spikes = (np.random.default_rng(0).random((30, 64)) < 0.3).astype(np.float32)
    np.save(tmp_path / "in.npy", spikes)
    code, stdout, _ = _run(capsys, "simulate", DEMO, "--input", str(tmp_path / "in.npy"), "--json")
    assert code == 0 and json.loads(stdout)["steps"] == 30
    np.save(tmp_path / "wrong.npy", spikes[:, :10])
    code, _, err = _run(capsys, "simulate", DEMO, "--input", str(tmp_path / "wrong.npy"))
    assert code == 2
    _assert_one_line_error(err, "[T, 64]")


def test_compile_writes_a_deterministic_build_and_refuses_to_overwrite(capsys, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    assert _run(capsys, "compile", DEMO, "-o", str(first))[0] == 0
    assert _run(capsys, "compile", DEMO, "-o", str(second), "--json")[0] == 0
    for name in ("sc_top.sv", "snn_core.sv", "weights.mem", "neurons.mem", "tb_sc_top.sv"):
        assert (first / name).read_bytes() == (second / name).read_bytes()
    before = (first / "sc_top.sv").read_bytes()
    code, _, err = _run(capsys, "compile", DEMO, "-o", str(first))
    assert code == 2 and "--force" in err
    assert (first / "sc_top.sv").read_bytes() == before
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    code, _, err = _run(capsys, "compile", DEMO, "-o", str(foreign), "--force")
    assert code == 2 and (foreign / "notes.txt").read_text() == "keep me"


def test_installed_console_script_prints_no_traceback():
    script = REPO / ".venv" / "bin" / "sc-neurocore"
    argv = [str(script)] if script.exists() else [sys.executable, "-m", "sc_neurocore.cli.app"]
    done = subprocess.run([*argv, "deploy", "missing.nir"], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.strip() == "error: missing.nir: no such file"


def test_preset_sets_conventions_and_emit_nir_round_trips(capsys, tmp_path):
    out, exported = tmp_path / "build", tmp_path / "model.nir"
    code, _, _ = _run(capsys, "compile", DEMO, "-o", str(out), "--preset", "spikingjelly", "--reset", "zero",
                      "--emit-nir", str(exported))
    assert code == 0
    options = json.loads((out / "manifest.json").read_text())["provenance"]["options"]
    assert options["spike_condition"] == "ge" and options["reset"] == "zero"  # preset, then explicit option
    first = _run(capsys, "simulate", DEMO, "--steps", "40", "--rate", "0.3", "--json")[1]
    again = _run(capsys, "simulate", str(exported), "--steps", "40", "--rate", "0.3", "--json")[1]
    assert json.loads(first)["populations"] == json.loads(again)["populations"]
    code, _, err = _run(capsys, "simulate", DEMO, "--preset", "brian")
    assert code == 2
    _assert_one_line_error(err, "unknown preset 'brian'")


def test_attention_spec_errors_are_one_line(capsys, tmp_path):
    spec = tmp_path / "attn.yaml"
    spec.write_text("block: spike_driven_attention\nembed_dim: 64\nnum_heads: 5\ntokens: 8\nT: 4\n")
    code, _, err = _run(capsys, "deploy", str(spec), "-o", str(tmp_path / "out"))
    assert code == 2
    _assert_one_line_error(err, "num_heads")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("spec", ["ssm_seed", "cpg_seed", "ssa_seed", "sdsa_seed", "a2os2a_seed", "attention_seed"])
def test_compile_takes_every_block_spec_that_deploy_takes(capsys, tmp_path, spec):
    path = REPO / "examples" / f"{spec}.yaml"
    code, out, _ = _run(capsys, "compile", str(path), "-o", str(tmp_path / "out"), "--json")
    assert code == 0
    core = core_for_spec(load_spec(path))
    plan = core.emit()
    written = {name: (tmp_path / "out" / name).read_text() for name in plan.files if name != "manifest.json"}
    assert written == {name: text for name, text in plan.files.items() if name != "manifest.json"}
    assert json.loads(out)["manifest"]["provenance"]["options"] == {"block": core.kind}


def test_compile_refuses_emit_nir_for_a_spec(capsys, tmp_path):
    code, _, err = _run(capsys, "compile", str(REPO / "examples" / "cpg_seed.yaml"), "-o", str(tmp_path / "out"),
                        "--emit-nir", str(tmp_path / "spec.nir"))
    assert code == 2
    _assert_one_line_error(err, "--emit-nir")
    assert not (tmp_path / "out").exists() and not (tmp_path / "spec.nir").exists()


@pytest.mark.parametrize("command", ["compile", "deploy"])
def test_network_options_are_refused_for_a_spec(capsys, tmp_path, command):
    code, _, err = _run(capsys, command, str(REPO / "examples" / "ssa_seed.yaml"), "-o", str(tmp_path / "out"),
                        "--dt", "0.001")
    assert code == 2
    _assert_one_line_error(err, "--dt apply to neuron networks")
    assert not (tmp_path / "out").exists()
