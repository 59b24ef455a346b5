"""The HTML report of a real demo build, opened in headless Chromium; its JSON against the schema."""

import io
import json
import shutil

import jsonschema
import pytest
from PIL import Image

from sc_neurocore.cli.app import main

from tests.conftest import REPO, require_executable

from .chromium import render

pytestmark = [pytest.mark.ui, pytest.mark.eda]

DEMO = REPO / "examples" / "demo_lif.nir"


@pytest.fixture(scope="module")
def demo_builds(tmp_path_factory):
    """One real deploy of the demo, and a copy of it to compare with."""
    root = tmp_path_factory.mktemp("ui")
    assert main(["deploy", str(DEMO), "--target", "ice40", "-o", str(root / "demo")]) == 0
    return root / "demo", shutil.copytree(root / "demo", root / "copy")


def test_real_reports_follow_the_schema(demo_builds, capsys):
    schema = json.loads((REPO / "docs" / "report.schema.json").read_text())
    capsys.readouterr()
    for args in ([demo_builds[0]], [*demo_builds, "--model", DEMO]):
        assert main(["report", *map(str, args), "--json"]) == 0
        jsonschema.Draft202012Validator(schema).validate(json.loads(capsys.readouterr().out))


def _not_blank(png: bytes) -> bool:
    image = Image.open(io.BytesIO(png)).convert("L")
    histogram = image.histogram()
    dark = sum(histogram[:200]) / (image.width * image.height)  # text, bars and axes
    return dark > 0.01 and sum(1 for count in histogram if count) > 10


def test_page_renders_in_chromium(demo_builds, tmp_path, capsys):
    chromium = require_executable("chromium")
    page = tmp_path / "report.html"
    assert main(["report", *map(str, demo_builds), "--model", str(DEMO), "--html", str(page)]) == 0
    shown = render(chromium, page)
    assert shown.console_errors == ()
    assert _not_blank(shown.screenshot_png)
    for heading in ("sc-neurocore report", "Comparison", "Build", "Resources", "Timing", "Throughput", "Activity",
                    "Energy (estimate)"):
        assert heading in shown.headings
    assert set(shown.requested_urls) == {page.resolve().as_uri()}  # self-contained: nothing else loads
