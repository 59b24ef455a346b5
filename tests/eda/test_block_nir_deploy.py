"""`sc-neurocore deploy model.nir` on a NIR file holding one SSM op with trained (non-seed) weights:
the op's own memory images, placed and routed on a UP5K with the real yosys / nextpnr-ice40 / icepack."""

import json

import numpy as np
import pytest

from sc_neurocore.backends.ssm_deploy import BUILD_REPORT
from sc_neurocore.backends.ssm_systemverilog import SSM_MEMORIES, emit_ssm
from sc_neurocore.cli.app import main
from sc_neurocore.ir import blocks as ops
from sc_neurocore.transformers import SpikyStateSpace
from sc_neurocore.transformers.fixed_ssm import quantise_ssm, ssm_spec_for

from tests.unit.test_block_deploy import single_op_file

pytestmark = pytest.mark.eda


def test_an_ssm_nir_file_routes_on_a_up5k(tmp_path):
    model = SpikyStateSpace(16, 32, 0.5, 0.05, "s4d-real", 5)
    rng = np.random.default_rng(11)
    model.B = model.B * rng.uniform(0.5, 1.5, model.B.shape)  # as after training: not what seed 5 draws
    model.C = model.C + 0.2 * rng.standard_normal(model.C.shape)
    path = single_op_file(tmp_path, ops.SpikyStateSpaceOp(model), "ssm.nir")
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
    own, seeded = emit_ssm(spec, quantise_ssm(spec, model=model)).files, emit_ssm(spec).files
    for image in SSM_MEMORIES:
        assert (out / image).read_text() == own[image]
    assert any((out / image).read_text() != seeded[image] for image in SSM_MEMORIES)
