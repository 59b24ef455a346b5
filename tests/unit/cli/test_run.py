"""`sc-neurocore run`: a board build driven through the simulated board (the same HostLink code a serial
port uses), and every way it refuses: no port, no board build, another build on the board, bad input."""

import json
from pathlib import Path

import numpy as np
import pytest

from sc_neurocore.backends.board.build import with_board
from sc_neurocore.backends.board.profiles import board_target
from sc_neurocore.backends.build.build_dir import write_files
from sc_neurocore.backends.build.plan import with_provenance
from sc_neurocore.backends.build.provenance import provenance
from sc_neurocore.backends.host.errors import LinkError
from sc_neurocore.backends.host.link import HostLink
from sc_neurocore.backends.host.session import BoardBuild, run_inferences
from sc_neurocore.cli.app import main
from sc_neurocore.cli.model_core import model_core

DEMO = Path(__file__).resolve().parents[3] / "examples" / "demo_lif.nir"
NETWORK_DEFAULTS = dict(preset=None, dt=None, spike_condition=None, reset=None, arith="fixed", stream_length=256,
                        lanes=1, tokens=None, input_peak=None)


def board_build_dir(directory: Path, weight_bits: int = 8) -> Path:
    """What `deploy DEMO --board icebreaker` writes before place and route (the run reads no more)."""
    built = model_core(DEMO, weight_bits=weight_bits, state_bits=16, **NETWORK_DEFAULTS)
    target = board_target("icebreaker", None, None, max_mhz=12.0)
    record = {**built.record, "board": target.as_record()}
    plan = with_board(with_provenance(built.core.emit(), provenance(DEMO, record)), target)
    write_files(directory, plan.files)
    return directory


def _labelled(path: Path, seed: int, samples: int = 3, steps: int = 8) -> Path:
    rng = np.random.default_rng(seed)
    np.savez(path, input=(rng.random((steps, samples, 64)) < 0.3).astype(np.float64),
             labels=rng.integers(0, 10, samples))
    return path


def _run(capsys, *args):
    code = main(["run", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.cosim
@pytest.mark.parametrize("seed", [4, 5])
def test_run_on_the_simulated_board_equals_the_twin_and_writes_outputs(icarus, tmp_path, capsys, seed):
    build = board_build_dir(tmp_path / "build")
    data = _labelled(tmp_path / "set.npz", seed)
    out = tmp_path / "r.npz"
    code, stdout, err = _run(capsys, build, "--simulate", "--input", data, "--out", out, "--json")
    assert code == 0, err
    record = json.loads(stdout)
    assert record["inferences"] == 3 and record["mismatches_against_twin"] == 0
    assert 0.0 <= record["accuracy"] <= 1.0 and record["bytes_to_device"] > 0
    with np.load(out) as saved:
        assert saved["predictions"].tolist() == record["predictions"]
        assert saved["output_0"].shape == (8, 10)


@pytest.mark.cosim
def test_the_board_running_another_build_is_refused(icarus, tmp_path):
    ours = BoardBuild.load(board_build_dir(tmp_path / "ours"))
    theirs = BoardBuild.load(board_build_dir(tmp_path / "theirs", weight_bits=6))
    core = model_core(DEMO, weight_bits=8, state_bits=16, **NETWORK_DEFAULTS).core
    with HostLink(theirs.simulator(), timeout_s=5) as link:
        with pytest.raises(LinkError, match=f"the board runs build {theirs.build_id.hex()}, this is build "
                                            f"{ours.build_id.hex()}: flash it first"):
            run_inferences(link, ours, core, [None])


@pytest.mark.parametrize("options, message", [
    ((), "give the board's --port, or --simulate"),
    (("--port", "/dev/null", "--simulate"), "give the board's --port, or --simulate"),
    (("--simulate", "--retries", "-1"), "--retries"),
])
def test_port_and_simulate_are_one_or_the_other(tmp_path, capsys, options, message):
    code, _, err = _run(capsys, board_build_dir(tmp_path / "build"), *options)
    assert code == 2 and message in err and "Traceback" not in err


def test_a_build_without_a_board_is_refused(tmp_path, capsys):
    build = board_build_dir(tmp_path / "build")
    manifest = json.loads((build / "manifest.json").read_text())
    del manifest["board"]
    (build / "manifest.json").write_text(json.dumps(manifest))
    code, _, err = _run(capsys, build, "--simulate")
    assert code == 2 and "deployed without a board: deploy it again with --board NAME" in err


def test_a_changed_model_is_refused(tmp_path, capsys):
    build = board_build_dir(tmp_path / "build")
    copy = tmp_path / "demo.nir"
    copy.write_bytes(DEMO.read_bytes() + b"\0")
    code, _, err = _run(capsys, build, "--simulate", "--model", copy)
    assert code == 2 and "is not the model" in err


def test_input_of_the_wrong_shape_names_the_expected_one(tmp_path, capsys):
    build = board_build_dir(tmp_path / "build")
    bad = tmp_path / "bad.npz"
    np.savez(bad, input=np.zeros((8, 2, 63)), labels=np.zeros(2, dtype=np.int64))
    code, _, err = _run(capsys, build, "--simulate", "--input", bad)
    assert code == 2 and "[T, B, 64]" in err and len(err.strip().splitlines()) == 1


def test_a_missing_port_is_named_and_leaves_no_output(tmp_path, capsys):
    build = board_build_dir(tmp_path / "build")
    out = tmp_path / "r.npz"
    code, _, err = _run(capsys, build, "--port", tmp_path / "ttyUSB9", "--out", out)
    assert code == 1 and "ttyUSB9" in err and "Traceback" not in err
    assert not out.exists()
