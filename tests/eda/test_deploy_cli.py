"""`sc-neurocore deploy` with the real yosys / nextpnr-ice40 / icepack on the demo network."""

import json

import pytest

from sc_neurocore.report.build_record import BUILD_REPORT
from sc_neurocore.cli.app import main

from tests.conftest import REPO

pytestmark = pytest.mark.eda

DEMO = str(REPO / "examples" / "demo_lif.nir")


@pytest.fixture(scope="module")
def demo_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("deploy") / "demo"
    code = main(["deploy", DEMO, "--target", "ice40", "-o", str(out)])
    assert code == 0
    return out


def test_demo_deploys_to_a_up5k(demo_build, capsys):
    assert (demo_build / "sc_top.bin").stat().st_size > 100_000
    record = json.loads((demo_build / BUILD_REPORT).read_text())
    used = {row["name"]: row["used"] for row in record["resources"]}
    assert 0 < used["logic cells"] < 0.8 * 5280
    assert used["EBR"] >= 2  # weights and membranes live in block RAM
    assert used["IO"] <= 39
    (clock,) = record["fmax_mhz"].values()
    assert clock["achieved"] >= clock["constraint"]
    assert record["manifest"]["provenance"]["model_sha256"]
    assert {tool["name"] for tool in record["tools"]} == {"yosys", "nextpnr-ice40", "icepack"}
    capsys.readouterr()
    assert main(["report", str(demo_build)]) == 0
    table = capsys.readouterr().out
    for row in ("logic cells", "LUT4", "carries", "flip-flops", "EBR", "SPRAM", "DSP", "IO", "Fmax"):
        assert row in table
    assert max(len(line) for line in table.splitlines()) <= 80
    assert main(["report", str(demo_build), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["builds"][0]["build"]["device"] == "up5k"


def test_failed_deploy_keeps_the_previous_good_build(demo_build, capsys):
    before = (demo_build / "sc_top.bin").read_bytes()
    code = main(["deploy", DEMO, "-o", str(demo_build), "--force", "--timeout", "1"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("error: ") and "time limit" in err and "Traceback" not in err
    assert (demo_build / "sc_top.bin").read_bytes() == before
    assert main(["report", str(demo_build), "--json"]) == 0


def test_design_too_large_for_the_device_says_what_it_needs(capsys, tmp_path):
    code = main(["deploy", DEMO, "--device", "hx1k", "-o", str(tmp_path / "hx1k")])
    err = capsys.readouterr().err
    assert code == 2
    assert "does not fit hx1k" in err and "logic cells" in err
    assert not (tmp_path / "hx1k").exists()


def test_seed_attention_spec_deploys_with_its_core_cost(capsys, tmp_path):
    code = main(["deploy", str(REPO / "examples" / "attention_seed.yaml"), "-o", str(tmp_path / "attn")])
    shown = capsys.readouterr().out
    assert code == 0
    assert "attention layer by part" in shown and "projections, Q/K/V IF" in shown  # the table `report` renders
    assert (tmp_path / "attn" / "attn_top.bin").is_file()
