"""Finding iceprog and openFPGALoader (backends/flow/tools.py) with fake tool scripts: order, overrides,
versions, what doctor sees. The scripts only print a version line; argument handling and failure paths
are all they test."""

import pytest

from sc_neurocore.backends.flow.tools import describe_programmers, find_programmer
from sc_neurocore.errors import InputError, ToolMissingError
from tests.fake_tools import PROGRAMMER_OVERRIDES, fake_tool, only_on_path


def _fake(directory, name, output=""):
    return fake_tool(directory, name, lines=(output,))


@pytest.fixture
def bin_dir(tmp_path, monkeypatch):
    return only_on_path(tmp_path / "bin", monkeypatch, PROGRAMMER_OVERRIDES)


def test_preferred_first_then_the_other(bin_dir):
    _fake(bin_dir, "iceprog")
    _fake(bin_dir, "openFPGALoader")
    assert find_programmer().name == "iceprog"
    assert find_programmer(preferred="openFPGALoader").name == "openFPGALoader"
    (bin_dir / "iceprog").unlink()
    found = find_programmer()
    assert (found.name, found.path, found.flavour) == ("openFPGALoader", bin_dir / "openFPGALoader", "PATH")


def test_tools_dir_before_path_and_environment_before_both(tmp_path, bin_dir, monkeypatch):
    _fake(bin_dir, "iceprog")
    tools = tmp_path / "tools"
    _fake(tools, "iceprog")
    assert find_programmer(tools_dir=tools).path == tools / "iceprog"
    override = _fake(tmp_path / "env", "anything")
    monkeypatch.setenv("SC_NEUROCORE_ICEPROG", str(override))
    found = find_programmer(tools_dir=tools)
    assert (found.path, found.flavour) == (override, "$SC_NEUROCORE_ICEPROG")


def test_errors(tmp_path, bin_dir):
    with pytest.raises(ToolMissingError, match="no programmer found: install iceprog or openFPGALoader, or pass --tools DIR"):
        find_programmer()
    with pytest.raises(ToolMissingError, match=r"openFPGALoader not found .*apt-get install openfpgaloader"):
        find_programmer("openFPGALoader")
    with pytest.raises(InputError, match="unknown programmer 'ecpprog'"):
        find_programmer("ecpprog")
    with pytest.raises(InputError, match="not a directory"):
        find_programmer(tools_dir=tmp_path / "missing")


def test_describe_never_raises(tmp_path, bin_dir, monkeypatch):
    _fake(bin_dir, "iceprog", "Simple programming tool")
    _fake(bin_dir, "openFPGALoader", "openFPGALoader v0.12.1")
    statuses = {s.name: s for s in describe_programmers()}
    assert statuses["iceprog"].version == "unknown" and statuses["openFPGALoader"].version == "0.12.1"
    monkeypatch.setenv("SC_NEUROCORE_OPENFPGALOADER", str(tmp_path / "gone"))
    broken = {s.name: s for s in describe_programmers()}["openFPGALoader"]
    assert broken.path is None and "SC_NEUROCORE_OPENFPGALOADER=" in broken.problem
    (bin_dir / "iceprog").write_text("#!/bin/sh\nexit 3\n")  # iceprog has no version flag: never run for one
    assert {s.name: s for s in describe_programmers()}["iceprog"].version == "unknown"
