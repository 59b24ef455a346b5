"""The transformer engine, run by Icarus, equals the integer twin: every stage output of every step, the
logits and the cycle count, on digits with a model trained from examples/train_transformer_fpga.yaml."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from sc_neurocore.backends.cores.transformer.core import TransformerCore
from sc_neurocore.backends.cores.transformer.design import (
    TFM_SOURCES, WEIGHTS_FILE, cycles_per_inference, transformer_layout, weight_banks, weight_load_cycles,
)
from sc_neurocore.backends.cosim import ICE40_MODELS, cosimulate, run_icarus
from sc_neurocore.training import SpikingTransformer
from sc_neurocore.training.config import load_config
from sc_neurocore.sim.twins.transformer import FixedTransformer
from sc_neurocore.training.run import build_model, load_data, run_training

pytestmark = [pytest.mark.cosim, pytest.mark.slow]

CONFIG = Path(__file__).resolve().parents[2] / "examples" / "train_transformer_fpga.yaml"


def train_fpga_transformer(out: Path, epochs: int):
    """The FPGA example config trained for ``epochs`` epochs: (model, data, steps)."""
    cfg = load_config(CONFIG)
    cfg["output"], cfg["epochs"] = str(out), epochs
    run_training(cfg)
    data = load_data(cfg)
    model = build_model(cfg, data)
    with np.load(out / "checkpoint.npz") as archive:
        model.load_state_dict({k[6:]: archive[k] for k in archive.files if k.startswith("param/")})
    return model, data, cfg["encoding"]["steps"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    return train_fpga_transformer(tmp_path_factory.mktemp("train"), epochs=5)


def test_engine_is_bit_true_on_digits(icarus, tmp_path, trained):
    model, data, steps = trained
    fixed = FixedTransformer.from_model(model)
    samples = data.x_test[[0, 7]]
    result = cosimulate(TransformerCore(fixed, steps), tmp_path, samples, timeout_s=1800)
    assert result.mismatches == 0, result.first_mismatch()
    layout = transformer_layout(fixed)
    assert result.cycles == len(samples) * cycles_per_inference(layout, steps)
    assert result.rtl_lines[0] == f"W {weight_load_cycles(layout)}", "the weights stream in once, before sample 0"
    values = [line.split() for line in result.rtl_lines if line.startswith("E")]
    by_stage = {}
    for _, _, _, stage, _, value in values:
        by_stage.setdefault(int(stage), set()).add(int(value))
    assert len(by_stage) == len(layout.stages) - 1  # every stage but the head writes a traced output
    assert all(len(seen) > 1 for seen in by_stage.values()), "every stage both fires and stays silent"
    assert {2, 3} <= by_stage[8], "the residual stream carries counts up to 3"
    logits = np.array([int(line.split()[3]) for line in result.rtl_lines if line.startswith("L")]).reshape(2, -1)
    np.testing.assert_array_equal(logits, fixed.run(np.broadcast_to(samples, (steps, *samples.shape))))

    # the comparison can fail: a twin whose attention scale is off by one shift predicts another trace
    block = fixed.blocks[0]
    wrong = replace(fixed, blocks=(replace(block, attention=replace(block.attention,
                                                                    scale_shift=block.attention.scale_shift - 1)),))
    expected = TransformerCore(wrong, steps).expected_trace(samples)
    assert sum(a != b for a, b in zip(result.rtl_lines, expected)) > 0


def test_saturated_membranes_are_bit_true(icarus, tmp_path, trained):
    """Embedding membranes driven past both 16-bit limits: a wrap-around instead of saturation flips spikes."""
    model, data, steps = trained
    fixed = FixedTransformer.from_model(model)
    lif, bias = fixed.embed.lif, fixed.embed.bias.copy()
    bias[:, 0::4], bias[:, 1::4] = 32000, -32000  # (token, neuron) currents beside the weight sums
    threshold = lif.threshold.copy()
    threshold[0::4], threshold[1::4] = 32766, 100  # fires only at the positive limit / only after a wrap
    embed = replace(fixed.embed, bias=bias, weight=np.where(np.arange(fixed.embed.weight.shape[0])[:, None] % 4 == 1,
                                                            -np.abs(fixed.embed.weight), np.abs(fixed.embed.weight)),
                    lif=replace(lif, threshold=threshold))
    loud = replace(fixed, embed=embed)
    samples = data.x_test[[3]]
    result = cosimulate(TransformerCore(loud, steps), tmp_path, samples, timeout_s=1800)
    assert result.mismatches == 0, result.first_mismatch()
    embed_spikes = loud.trace(np.broadcast_to(samples, (steps, *samples.shape)))["embed"][:, 0]
    assert embed_spikes[:, :, 0::4].any(), "only a membrane held at 32767 passes 32766"
    pixels = np.round(samples[0].reshape(8, 8) * 16).astype(np.int64)
    drive = ((pixels @ embed.weight.T) >> 4) + bias  # (token, neuron) drive of every step
    second = drive - (drive >> 1) + drive  # the membrane of step 2 (leak 1/2), before saturation
    assert (second[:, 1::4] < -32768).any(), "some membranes reach the negative limit"
    assert not embed_spikes[:, :, 1::4].any(), "and stay there: no wrap to a positive membrane"


def test_three_weight_banks_are_bit_true_and_come_from_the_stream(icarus, tmp_path):
    """dim 96 (82 k weights in three SPRAM banks; the head's weights sit above byte 65535) on two tokens, so
    that Icarus runs it in seconds; a stream with other head weights yields other logits."""
    fixed = FixedTransformer.from_model(SpikingTransformer(2, 8, 10, dim=96, heads=4))
    layout = transformer_layout(fixed)
    head = layout.stages[-1].fields
    head_base = (head["w_base_hi"] << 16) + head["w_base"]
    assert weight_banks(layout) == 3 and head_base >= 1 << 16
    samples = np.random.default_rng(1).uniform(0, 1, (1, 16))
    result = cosimulate(TransformerCore(fixed, 2), tmp_path, samples, timeout_s=1800)
    assert result.mismatches == 0, result.first_mismatch()
    assert result.rtl_lines[0] == f"W {weight_load_cycles(layout)}"
    logits = [line for line in result.rtl_lines if line.startswith("L")]
    assert len(set(line.split()[3] for line in logits)) > 1, "the head sees spikes"

    stream = (tmp_path / WEIGHTS_FILE).read_text().splitlines()
    stream[head_base:head_base + 10 * 2 * 96] = ["7f"] * (10 * 2 * 96)
    (tmp_path / WEIGHTS_FILE).write_text("\n".join(stream) + "\n")
    altered, _ = run_icarus(tmp_path, (*TFM_SOURCES, ICE40_MODELS))
    assert [line for line in altered if line.startswith("E")] == [line for line in result.rtl_lines
                                                                  if line.startswith("E")]
    assert [line for line in altered if line.startswith("L")] != logits
