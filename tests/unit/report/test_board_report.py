"""The report of a board build: the board, its clock and the UART link's share of an inference, in the
terminal's rows, the JSON (schema-checked) and the HTML page."""

import json

import jsonschema
import numpy as np
import pytest

from sc_neurocore.backends.board.build import with_board
from sc_neurocore.backends.board.profiles import board_target
from sc_neurocore.backends.build.plan import with_provenance
from sc_neurocore.backends.build.provenance import provenance
from sc_neurocore.backends.cores.network.core import NetworkCore
from sc_neurocore.passes.pipeline import ModelOptions, load_quantised
from sc_neurocore.report import make_report, report_document
from sc_neurocore.report.build_record import BUILD_REPORT
from sc_neurocore.report.html import render_html
from sc_neurocore.report.link import UART_BITS_PER_BYTE

from tests.unit.report.conftest import DEMO


def _as_board_build(build, max_mhz: float = 12.0):
    """The fake build's manifest replaced by the demo's board build manifest (same core, same tools)."""
    _, qnet = load_quantised(DEMO, ModelOptions())
    plan = with_board(with_provenance(NetworkCore(qnet).emit(), provenance(DEMO, vars(ModelOptions()))),
                      board_target("icebreaker", None, None, max_mhz=max_mhz))
    record = json.loads((build / BUILD_REPORT).read_text())
    record["manifest"] = plan.manifest
    (build / BUILD_REPORT).write_text(json.dumps(record))
    return plan.manifest


@pytest.mark.parametrize("seed", [1, 2])
def test_an_event_core_counts_its_link_words_from_the_simulated_spikes(fake_build, tmp_path, report_schema, seed):
    manifest = _as_board_build(fake_build)
    rng = np.random.default_rng(seed)
    inputs = (rng.random((12, 4, 64)) < rng.uniform(0.05, 0.4)).astype(np.uint8)
    np.save(tmp_path / "in.npy", inputs)
    report = make_report(fake_build, DEMO, tmp_path / "in.npy")
    link = report.link
    words_in = round(inputs.sum() / 4 + 12)  # a word per spike and an end-of-step word per step
    assert link.bytes_to_device == words_in * 1 + 6 * -(-words_in // 256)  # 7-bit words: one byte each
    assert link.link_seconds == pytest.approx(link.bytes_per_inference * UART_BITS_PER_BYTE / 3e6)
    assert report.throughput.fmax_mhz == 12.0, "a board build runs at its core clock, not its Fmax"
    assert link.core_seconds == pytest.approx(report.throughput.seconds_per_inference)
    document = report_document([report])
    jsonschema.Draft202012Validator(report_schema).validate(document)
    assert document["builds"][0]["board"]["build_id"] == manifest["board"]["build_id"]
    assert document["builds"][0]["link"]["bound"] in ("link", "core")
    page = render_html([report])
    assert "Board and host link" in page and manifest["board"]["build_id"] in page


def test_without_a_model_an_event_core_says_what_the_link_needs(fake_build, report_schema):
    _as_board_build(fake_build)
    report = make_report(fake_build)
    assert report.link is None
    document = report_document([report])
    jsonschema.Draft202012Validator(report_schema).validate(document)
    assert document["builds"][0]["board"]["name"] == "icebreaker"
