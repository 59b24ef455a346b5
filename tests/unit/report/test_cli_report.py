"""`sc-neurocore report`: terminal tables on 80 columns, versioned JSON, HTML, and bad input."""

import json
import re

import jsonschema
import nir
import numpy as np
import pytest

from sc_neurocore.report.build_record import BUILD_REPORT
from sc_neurocore.cli.app import main

from tests.netbuild import two_layer

from .conftest import DEMO

ANSI = re.compile(r"\x1b\[")
PATH_LINE = re.compile(r"^(bitstream|model|A|B): \S+$")  # paths are printed whole, for copying


def _fits_80_columns(out: str) -> bool:
    return all(len(line) <= 80 or PATH_LINE.match(line) for line in out.splitlines())


def _run(capsys, *args):
    code = main(["report", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_terminal_report_fits_80_columns_without_colour(capsys, fake_build):
    code, out, err = _run(capsys, fake_build, "--model", DEMO, "--steps", "40")
    assert code == 0, err
    for heading in ("logic cells", "Fmax", "throughput at 79.7 MHz", "cycles per step", "inferences / s",
                    "activity: 40 steps", "lif1", "energy per inference (estimate", "ANN MACs"):
        assert heading in out
    assert _fits_80_columns(out)
    assert not ANSI.search(out)


def test_comparison_of_two_builds(capsys, fake_build, fake_build_template):
    code, out, _ = _run(capsys, fake_build_template, fake_build)
    assert code == 0
    assert "B (fixed point) against A (fixed point)" in out and "worst-case cycles per step" in out and "+0.0 %" in out
    assert _fits_80_columns(out)


def test_json_follows_the_schema(capsys, fake_build, fake_build_template, report_schema, tmp_path):
    labelled = tmp_path / "set.npz"
    np.savez(labelled, input=np.random.default_rng(0).random((3, 64)), labels=np.array([1, 2, 3]))
    code, out, _ = _run(capsys, fake_build_template, fake_build, "--model", DEMO, "--input", labelled, "--json")
    assert code == 0
    document = json.loads(out)
    jsonschema.Draft202012Validator(report_schema).validate(document)
    assert document["builds"][1]["workload"]["accuracy"]["samples"] == 3
    assert document["comparison"][0]["metric"] == "logic cells"


def test_html_is_written_once_and_replaced_only_with_force(capsys, fake_build, tmp_path):
    page = tmp_path / "report.html"
    code, out, _ = _run(capsys, fake_build, "--model", DEMO, "--html", page)
    assert code == 0 and f"html: {page}" in out
    text = page.read_text()
    for section in ('class="resources"', 'class="throughput"', 'class="activity"', 'class="energy"', "<svg"):
        assert section in text
    code, _, err = _run(capsys, fake_build, "--html", page)
    assert code == 2 and "pass --force" in err
    assert page.read_text() == text
    assert _run(capsys, fake_build, "--html", page, "--force")[0] == 0
    assert 'class="activity"' not in page.read_text()  # replaced by the report without a model


def _one_line_exit_2(capsys, *args) -> str:
    code, out, err = _run(capsys, *args)
    assert code == 2, out + err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    return err


def _edit_record(build, change):
    record = json.loads((build / BUILD_REPORT).read_text())
    change(record)
    (build / BUILD_REPORT).write_text(json.dumps(record))


def test_missing_and_corrupt_build_files(capsys, fake_build, tmp_path):
    assert "no such build directory" in _one_line_exit_2(capsys, tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    assert "written by `sc-neurocore deploy`" in _one_line_exit_2(capsys, tmp_path / "empty")
    (fake_build / BUILD_REPORT).write_text('{"schema_version": 1, "top": ')
    assert "not readable JSON" in _one_line_exit_2(capsys, fake_build)


@pytest.mark.parametrize("change, message", [
    (lambda r: r.update(schema_version=2), "schema_version 2; this version reads 1"),
    (lambda r: r.pop("resources"), "malformed build report"),
    (lambda r: r.pop("manifest"), "holds no manifest"),
    (lambda r: r["manifest"]["populations"][0].pop("sources"), "does not describe the core's populations"),
])
def test_incompatible_or_incomplete_reports(capsys, fake_build, change, message):
    _edit_record(fake_build, change)
    assert message in _one_line_exit_2(capsys, fake_build)


def test_a_model_that_did_not_make_the_build_is_refused(capsys, fake_build, tmp_path):
    other = tmp_path / "other.nir"
    nir.write(other, two_layer("LIF", "LIF"))
    html = tmp_path / "page.html"
    err = _one_line_exit_2(capsys, fake_build, "--model", other, "--html", html)
    assert "does not belong to build" in err and "demo_lif.nir" in err
    assert not html.exists()
    # without a recorded sha256 the populations still have to match
    _edit_record(fake_build, lambda r: r["manifest"].pop("provenance"))
    assert "its populations differ" in _one_line_exit_2(capsys, fake_build, "--model", other)


def test_input_without_a_model_is_refused(capsys, fake_build, tmp_path):
    spikes = tmp_path / "spikes.npy"
    np.save(spikes, np.zeros((5, 64)))
    assert "needs --model" in _one_line_exit_2(capsys, fake_build, "--input", spikes)


def test_fixed_against_sc_gives_cost_speed_and_accuracy_side_by_side(capsys, fake_build_template, fake_sc_build,
                                                                     tmp_path, report_schema):
    labelled = tmp_path / "set.npz"
    np.savez(labelled, input=np.random.default_rng(0).random((6, 64)) * 0.3, labels=np.arange(6))
    args = (fake_build_template, fake_sc_build, "--model", DEMO, "--input", labelled, "--steps", "20")
    code, out, err = _run(capsys, *args)
    assert code == 0, err
    assert "B (SC, N = 256) against A (fixed point)" in out and "input: " in out
    for row in ("logic cells", "DSP", "EBR", "Fmax", "time per inference", "accuracy", "agreement with float",
                "lif1 spikes per inference"):
        assert row in out
    assert "not modelled" not in out and _fits_80_columns(out)
    code, out, _ = _run(capsys, *args, "--json")
    document = json.loads(out)
    jsonschema.Draft202012Validator(report_schema).validate(document)
    metrics = {row["metric"]: row for row in document["comparison"]}
    assert metrics["time per inference"]["b"] > metrics["time per inference"]["a"] > 0
    assert document["builds"][1]["throughput"]["core"] == "snn_sc_core"
    page = tmp_path / "page.html"
    assert _run(capsys, *args, "--html", page)[0] == 0
    text = page.read_text()
    assert "(SC, N = 256)" in text and "time per inference" in text and "snn_sc_core schedule" in text
