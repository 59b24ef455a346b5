"""A small spike-driven attention layer, projections included, places and routes on a UP5K; the build
report and `sc-neurocore report` give the attention core, the projections and the neurons separately."""

import json
import re

import pytest

from sc_neurocore.backends.cores.attention.core import AttentionCore
from sc_neurocore.backends.deploy import deploy_core
from sc_neurocore.cli.app import main
from sc_neurocore.report.build_record import BUILD_REPORT
from sc_neurocore.transformers.spec import AttentionSpec

pytestmark = pytest.mark.eda


def test_small_attention_layer_routes_on_a_up5k(tmp_path, capsys):
    spec = AttentionSpec(embed_dim=16, num_heads=2, tokens=8, T=4, lanes=2)
    result = deploy_core(AttentionCore(spec), tmp_path / "attn")
    record = json.loads((tmp_path / "attn" / BUILD_REPORT).read_text())
    used = {row["name"]: row["used"] for row in record["resources"]}
    assert 0 < used["logic cells"] < 0.8 * 5280 and used["IO"] <= 39
    assert used["EBR"] >= 4, "spike words and membranes belong in block RAM"
    assert used["SPRAM"] == 4 and used["DSP"] == 3, "weights and x in SPRAM, the projections' multipliers in DSPs"
    parts = record["attention_parts"]
    assert set(parts) == {"attn_core", "attn_qkv", "attn_neurons", "attn_full_layer"}
    core, qkv = parts["attn_core"], parts["attn_qkv"]
    assert 0 < core["SB_LUT4"] < used["LUT4"] and core.get("SB_MAC16", 0) == 0  # addition-only
    assert qkv["SB_MAC16"] == 3 and qkv["SB_SPRAM256KA"] == 4 and qkv.get("SB_RAM40_4K", 0) == 0
    assert parts["attn_neurons"]["SB_RAM40_4K"] > 0, "the output neurons' part counts its membranes (attn_membranes)"
    assert record["attention_core_cells"] == core == result.extra["attention_core_cells"]
    (clock,) = record["fmax_mhz"].values()
    assert clock["achieved"] >= 24
    assert result.report.bitstream.stat().st_size > 100_000

    assert main(["report", str(tmp_path / "attn")]) == 0
    shown = capsys.readouterr().out
    assert "attention layer by part" in shown and re.search(rf"attention core\s+{core['SB_LUT4']}\s", shown)
    assert "projections, Q/K/V IF" in shown and "output neurons" in shown and "cycles per inference" in shown
