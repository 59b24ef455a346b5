"""The HTML page: deterministic, self-contained, with a comparison section for two builds."""

import re

from sc_neurocore.report import make_report
from sc_neurocore.report.html import render_html

from .conftest import DEMO


def test_same_reports_give_the_same_page(fake_build, fake_build_template):
    reports = [make_report(fake_build_template, DEMO, steps=15), make_report(fake_build, DEMO, steps=15)]
    page = render_html(reports)
    assert page == render_html(reports)
    assert page.index('class="comparison"') < page.index("<article>")
    assert page.count("<article>") == 2 and page.count("<svg") == 1 + 2 * 3  # comparison bars; 3 plots each
    # XML namespaces name, they do not fetch: nothing may load from elsewhere
    assert not re.search(r"(src|href)=\"(?!#)|url\((?!#)|<script|<link", page)
