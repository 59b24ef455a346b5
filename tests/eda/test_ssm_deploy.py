"""The seed SSM layer (d_model 32, d_state 64) and CPG encoder place and route on a UP5K from their .yaml specs."""

import json
from pathlib import Path

import pytest

from sc_neurocore.backends.cores import core_for_spec
from sc_neurocore.backends.deploy import deploy_core
from sc_neurocore.report.build_record import BUILD_REPORT
from sc_neurocore.transformers.spec import SsmSpec, load_spec

pytestmark = pytest.mark.eda

SEED = Path(__file__).resolve().parents[2] / "examples" / "ssm_seed.yaml"


def test_seed_ssm_routes_on_a_up5k(tmp_path):
    spec = load_spec(SEED)
    assert isinstance(spec, SsmSpec) and (spec.d_model, spec.d_state) == (32, 64)
    result = deploy_core(core_for_spec(spec), tmp_path / "ssm")
    record = json.loads((tmp_path / "ssm" / BUILD_REPORT).read_text())
    used = {row["name"]: row["used"] for row in record["resources"]}
    assert 0 < used["logic cells"] < 0.8 * 5280 and used["IO"] <= 39
    assert used["EBR"] >= 8, "B, C and the state belong in block RAM"
    assert used["DSP"] == spec.lanes, "one SB_MAC16 per lane serves the decay, B x and C h"
    (clock,) = record["fmax_mhz"].values()
    assert clock["achieved"] >= 24
    assert result.report.bitstream.stat().st_size > 100_000


def test_seed_cpg_encoder_routes_on_a_up5k(tmp_path):
    spec = load_spec(SEED.with_name("cpg_seed.yaml"))
    result = deploy_core(core_for_spec(spec), tmp_path / "cpg")
    used = {row.name: row.used for row in result.report.resources}
    assert 0 < used["logic cells"] < 400 and used["EBR"] >= 1 and used["DSP"] == 0
    (clock,) = result.report.fmax_mhz.values()
    assert clock[0] >= 24
