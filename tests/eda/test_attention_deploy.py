"""A small spike-driven attention layer places and routes on a UP5K, with the core's own cost."""

import json

import pytest

from sc_neurocore.backends.attention_deploy import BUILD_REPORT, deploy_attention
from sc_neurocore.transformers.spec import AttentionSpec

pytestmark = pytest.mark.eda


def test_small_attention_layer_routes_on_a_up5k(tmp_path):
    spec = AttentionSpec(embed_dim=16, num_heads=2, tokens=8, T=4, lanes=2)
    result = deploy_attention(spec, tmp_path / "attn")
    record = json.loads((tmp_path / "attn" / BUILD_REPORT).read_text())
    used = {row["name"]: row["used"] for row in record["resources"]}
    assert 0 < used["logic cells"] < 0.8 * 5280 and used["IO"] <= 39
    assert used["EBR"] >= 4, "spike matrices and membranes belong in block RAM"
    core = record["attention_core_cells"]
    assert 0 < core["SB_LUT4"] < used["LUT4"] and core.get("SB_MAC16", 0) == 0  # addition-only
    (clock,) = record["fmax_mhz"].values()
    assert clock["achieved"] >= 24
    assert result.report.bitstream.stat().st_size > 100_000
