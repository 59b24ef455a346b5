"""The never_imports contract (tests/import_contracts.py) sees what grimp drops: imports of a package that
lives outside the root's folder, at module or function level, absolute or relative."""

import grimp
import pytest

from tests.import_contracts import NeverImportsContract

FILES = {
    "__init__.py": "",
    "stage/__init__.py": "from . import clean\n",
    "stage/clean.py": "import os\nfrom layered import stage\n",
    "stage/upward.py": "def build():\n    from ..backends.deploy import deploy\n    return deploy\n",
    "stage/relative.py": "from .. import backends\n",
    "top.py": "import layered.backends.flow\n",
}
VIOLATIONS = {"layered.stage.upward -> layered.backends.deploy", "layered.stage.relative -> layered.backends",
              "layered.top -> layered.backends.flow"}


@pytest.fixture
def graph(tmp_path, monkeypatch):
    """A package `layered` whose `backends` is not on disk under layered/ (as package-dir installs it)."""
    for name, text in FILES.items():
        path = tmp_path / "layered" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    monkeypatch.syspath_prepend(str(tmp_path))
    return grimp.build_graph("layered", cache_dir=None)


def _check(graph, ignore=()):
    options = {"source_package": "layered", "forbidden_packages": ["layered.backends"], "ignore_imports": list(ignore)}
    return NeverImportsContract("no backends", {}, options).check(graph, verbose=False)


def test_function_level_relative_and_module_level_imports_break_it(graph):
    assert "layered.backends.deploy" not in graph.modules  # what a plain forbidden contract cannot see
    check = _check(graph)
    assert not check.kept
    assert {f"{module} -> {name}" for module, name in check.metadata["violations"]} == VIOLATIONS


def test_ignored_imports_keep_it_and_stale_ones_break_it(graph):
    assert _check(graph, VIOLATIONS).kept
    stale = _check(graph, [*VIOLATIONS, "layered.stage.clean -> layered.backends"])
    assert not stale.kept
    assert stale.warnings == [
        "ignore_imports entry layered.stage.clean -> layered.backends matches no import: remove it"]
