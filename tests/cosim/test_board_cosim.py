"""The board top of a build, simulated in Icarus at its UART pins and driven by the host runtime (HostLink
through the simulator transport, the same code `run --port` uses), equals the integer twin word for word:
the demo network, the NIR paper's CNN, the seed attention layer and the trained transformer engine.

A board build here is the plan `deploy --board icebreaker` writes (core, stream port, host link, board
top), without place and route: the simulation reads the same files.
"""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from sc_neurocore.backends.board.build import with_board
from sc_neurocore.backends.board.profiles import board_target
from sc_neurocore.backends.build.build_dir import write_files
from sc_neurocore.backends.cores import core_for_network, core_for_spec
from sc_neurocore.backends.cores.transformer.core import TransformerCore
from sc_neurocore.backends.host.link import HostLink
from sc_neurocore.backends.host.session import BoardBuild, run_inferences
from sc_neurocore.passes.pipeline import load_quantised
from sc_neurocore.sim.twins.transformer import FixedTransformer
from sc_neurocore.transformers.spec import load_spec

pytestmark = [pytest.mark.cosim, pytest.mark.slow]

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def board_run(core, work: Path, stimuli, board: str = "icebreaker", max_mhz: float = 12.0):
    """Write `core`'s board build into `work`, run `stimuli` on its simulated board; (run, build)."""
    plan = with_board(core.emit(), board_target(board, None, None, max_mhz=max_mhz))
    write_files(work, plan.files)
    build = BoardBuild(work, plan.manifest)
    with HostLink(build.simulator(), timeout_s=60) as link:
        run = run_inferences(link, build, core, stimuli)
        assert link.status().overflow is False
    return run, build


def _spikes(seed: int, steps: int, size: int, rate: float) -> np.ndarray:
    return (np.random.default_rng(seed).random((steps, size)) < rate).astype(np.int64)


@pytest.mark.parametrize("seed", [0, 1])
def test_demo_network_on_the_board_equals_the_twin(icarus, tmp_path, seed):
    _, qnet = load_quantised(EXAMPLES / "demo_lif.nir")
    core = core_for_network(qnet, None)
    stimuli = [_spikes(seed * 10 + k, 6, qnet.input_size, 0.25) for k in range(2)]
    run, build = board_run(core, tmp_path, stimuli)
    assert run.mismatches == 0, (run.words, run.expected)
    assert len(run.words) == 2 and run.bytes_to_device > 0
    assert sum(int(out.sum()) for out in run.outputs) > 0, "no output spike: the test would prove little"
    np.testing.assert_array_equal(run.outputs[0], core.twin_outputs(stimuli[0])[0])


def test_demo_network_through_a_pll_clock(icarus, tmp_path):
    # 24 MHz from the PLL (bypassed in simulation): 8 clocks per UART bit instead of 4
    _, qnet = load_quantised(EXAMPLES / "demo_lif.nir")
    core = core_for_network(qnet, None)
    run, build = board_run(core, tmp_path, [_spikes(5, 4, qnet.input_size, 0.3)], max_mhz=24.0)
    assert build.board["clks_per_bit"] == 8 and build.board["pll"] is not None
    assert run.mismatches == 0


def test_nir_paper_cnn_on_the_board_equals_the_twin(icarus, tmp_path, nir_paper):
    _, qnet = load_quantised(nir_paper / "02_cnn" / "cnn_sinabs.nir")
    core = core_for_network(qnet, None)
    run, _ = board_run(core, tmp_path, [_spikes(3, 2, qnet.input_size, 0.2)])
    assert run.mismatches == 0, (run.words, run.expected)
    assert run.bytes_to_device > 10_000, "the convolution weights travel as load words"


def test_seed_attention_layer_on_the_board_equals_the_twin(icarus, tmp_path):
    # The seed's shape (64 wide, 4 heads, 32 tokens, T = 8). At the seed's own LIF threshold the layer
    # makes no output spike on its input, so all-zero words would prove little: a quarter of it makes
    # about 1,600 of the 16,384.
    core = core_for_spec(replace(load_spec(EXAMPLES / "attention_seed.yaml"), threshold=0.25))
    run, _ = board_run(core, tmp_path, [None])
    assert run.mismatches == 0
    assert len(run.words[0]) == 16_384  # T x tokens x embed_dim spikes, one lane a word
    assert 1000 < int(run.outputs[0].sum()) < 16_384


def test_trained_transformer_on_the_board_equals_the_twin(icarus, tmp_path):
    from tests.cosim.test_transformer_cosim import train_fpga_transformer

    model, data, steps = train_fpga_transformer(tmp_path / "train", epochs=2)
    core = TransformerCore(FixedTransformer.from_model(model), steps)
    samples = data.x_test[[0, 7, 11]]
    run, _ = board_run(core, tmp_path / "board", [samples])  # one weight load, three inferences
    assert run.mismatches == 0 and len(run.outputs) == 3
    logits = np.array(run.outputs)
    np.testing.assert_array_equal(logits, np.array(core.twin_outputs(samples)))
    assert len({int(np.argmax(row)) for row in logits}) >= 1 and np.ptp(logits) > 0
