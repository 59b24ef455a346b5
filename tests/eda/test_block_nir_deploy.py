"""`sc-neurocore deploy model.nir` on a NIR file holding one SSM or attention op with trained (non-seed)
weights: the op's own memory images, placed and routed on a UP5K with the real yosys / nextpnr-ice40 /
icepack."""

import json
import re

import numpy as np
import pytest

from sc_neurocore.backends.cores.attention.design import STIMULUS_FILE, emit_attention
from sc_neurocore.backends.cores.ssm.core import SsmCore
from sc_neurocore.backends.cores.ssm.design import SSM_MEMORIES
from sc_neurocore.cli.app import main
from sc_neurocore.report.build_record import BUILD_REPORT
from sc_neurocore.transformers import SpikyStateSpace
from sc_neurocore.transformers.spikformer import spike_driven_attention_op
from sc_neurocore.sim.twins.seed_attention import attention_spec_for, quantise_attention
from sc_neurocore.sim.twins.ssm import quantise_ssm, ssm_spec_for
from sc_neurocore.transformers.ssm import spiky_state_space_op

from tests.netbuild import perturbed_attention, single_op_file

pytestmark = pytest.mark.eda


def test_an_ssm_nir_file_routes_on_a_up5k(tmp_path):
    model = SpikyStateSpace(16, 32, 0.5, 0.05, "s4d-real", 5)
    rng = np.random.default_rng(11)
    model.B = model.B * rng.uniform(0.5, 1.5, model.B.shape)  # as after training: not what seed 5 draws
    model.C = model.C + 0.2 * rng.standard_normal(model.C.shape)
    path = single_op_file(tmp_path, spiky_state_space_op(model), "ssm.nir")
    out = tmp_path / "ssm"
    assert main(["deploy", str(path), "--device", "up5k", "--lanes", "2", "-o", str(out)]) == 0

    record = json.loads((out / BUILD_REPORT).read_text())
    used = {row["name"]: row["used"] for row in record["resources"]}
    assert 0 < used["logic cells"] < 0.8 * 5280 and used["IO"] <= 39
    assert used["EBR"] >= 4, "B, C and the state belong in block RAM"
    assert used["DSP"] == 2, "one SB_MAC16 per lane"
    (clock,) = record["fmax_mhz"].values()
    assert clock["achieved"] >= clock["constraint"]
    assert (out / "ssm_top.bin").stat().st_size > 100_000
    manifest = record["manifest"]
    assert manifest["provenance"]["model_sha256"] and manifest["provenance"]["options"]["lanes"] == 2

    spec = ssm_spec_for(model, lanes=2)
    own, seeded = SsmCore(spec, quantise_ssm(spec, model=model)).emit().files, SsmCore(spec).emit().files
    for image in SSM_MEMORIES:
        assert (out / image).read_text() == own[image]
    assert any((out / image).read_text() != seeded[image] for image in SSM_MEMORIES)


def test_an_attention_nir_file_routes_on_a_up5k(tmp_path, capsys):
    model = perturbed_attention()
    path = single_op_file(tmp_path, spike_driven_attention_op(model), "attention.nir")
    out = tmp_path / "attention"
    assert main(["deploy", str(path), "--target", "ice40", "--device", "up5k", "--tokens", "8", "--lanes", "2",
                 "-o", str(out)]) == 0
    shown = capsys.readouterr().out

    record = json.loads((out / BUILD_REPORT).read_text())
    used = {row["name"]: row["used"] for row in record["resources"]}
    assert 0 < used["logic cells"] < 0.8 * 5280 and used["IO"] <= 39
    assert used["SPRAM"] == 4 and used["DSP"] == 3, "weights and x in SPRAM, the projections' multipliers in DSPs"
    (clock,) = record["fmax_mhz"].values()
    assert clock["achieved"] >= clock["constraint"]
    assert (out / "attn_top.bin").stat().st_size > 100_000
    manifest = record["manifest"]
    assert manifest["provenance"]["model_sha256"] and manifest["provenance"]["options"]["tokens"] == 8

    spec = attention_spec_for(model, tokens=8, lanes=2)
    own = quantise_attention(spec, model=model, x_shift=manifest["input_scale_shift"])
    assert (out / STIMULUS_FILE).read_text() == emit_attention(spec, fixed=own).files[STIMULUS_FILE]
    assert manifest["qkv_thresholds"] == own.theta

    core = record["attention_parts"]["attn_core"]  # deploy prints the by-part table `report` renders
    assert "attention layer by part" in shown and re.search(rf"attention core\s+{core['SB_LUT4']}\s", shown)
    assert "projections, Q/K/V IF" in shown and "output neurons" in shown and "layer control" in shown
