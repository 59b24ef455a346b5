"""The cost baseline: the same attention layer as 8-bit multiply-accumulate dot products with a
power-of-two integer softmax (`hdl/attn_mac_core.sv`), emitted the same way as the spiking core, and its
co-simulation against the integer reference :mod:`sc_neurocore.sim.twins.softmax_attention`."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sc_neurocore import __version__
from sc_neurocore.errors import InputError
from sc_neurocore.sim.twins.softmax_attention import mac_softmax_attention
from sc_neurocore.transformers.spec import AttentionSpec

from .attention_systemverilog import library_files, render
from .build_dir import write_files
from .cosim import ICE40_MODELS, CosimResult, ice40_cell_models, run_icarus
from .ice40 import DEVICES
from .systemverilog import STIMULUS_FILE, TESTBENCH, TRACE_FILE
from .toolrun import run_tool
from .tools import find_toolchain

__all__ = [
    "MAC_TOP", "MAC_SOURCES", "mac_cycles_per_step", "emit_mac_baseline", "emit_mac_testbench",
    "expected_mac_trace", "cosimulate_mac_baseline", "cosimulate_mac_netlist",
]

NETLIST = "mac_netlist.v"

MAC_TOP = "attn_mac_only"
MAC_SOURCES = (f"{MAC_TOP}.sv", "attn_mac_core.sv")


def mac_cycles_per_step(spec: AttentionSpec) -> int:
    """Per (head, query): N scores of C chunks + 1, then C chunks of N weighted V rows + 1."""
    chunks = spec.head_dim // spec.lanes
    return spec.num_heads * spec.tokens * (spec.tokens * (chunks + 1) + chunks * (spec.tokens + 1))


def _context(spec: AttentionSpec) -> dict:
    words = spec.num_heads * spec.tokens * spec.head_dim // spec.lanes
    return {
        "version": __version__, "block": spec.block, "mac_top": MAC_TOP, "lanes": spec.lanes,
        "tokens": spec.tokens, "heads": spec.num_heads, "head_dim": spec.head_dim, "words": words,
        "addr_bits": max(1, (words - 1).bit_length()),
        # score and output registers wide enough that 8-bit operands never overflow them
        "sb": 17 + spec.head_dim.bit_length(), "ob": 17 + spec.tokens.bit_length(),
    }


def emit_mac_baseline(spec: AttentionSpec) -> dict[str, str]:
    """The baseline core's wrapper and library source, by file name."""
    return {f"{MAC_TOP}.sv": render("attn_mac_only.sv.j2", _context(spec)), **library_files(MAC_SOURCES[1:])}


def _check_operands(spec: AttentionSpec, qkv: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    shape = (spec.num_heads, spec.tokens, spec.head_dim)
    for name, a in zip("qkv", qkv):
        if np.shape(a) != shape:
            raise InputError(f"{name} must have shape {shape} (heads, tokens, head_dim), got {np.shape(a)}")


def _stimulus_words(spec: AttentionSpec, operands: np.ndarray) -> list[str]:
    """One hex word per memory address: LANES 8-bit two's-complement values, lane l in bits 8l..8l+7."""
    lanes = np.asarray(operands, dtype=np.int64).reshape(-1, spec.lanes) & 0xFF
    return [f"{sum(int(b) << (8 * l) for l, b in enumerate(row)):0{2 * spec.lanes}x}" for row in lanes]


def emit_mac_testbench(spec: AttentionSpec, runs: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> dict[str, str]:
    """The baseline core plus a testbench that loads and runs each (q, k, v) of `runs` ([H, N, DH] each)."""
    for qkv in runs:
        _check_operands(spec, qkv)
    context = {**_context(spec), "inferences": len(runs), "stimulus_file": STIMULUS_FILE,
               "trace_file": TRACE_FILE, "outputs": spec.num_heads * spec.tokens * spec.head_dim}
    words = [w for qkv in runs for operands in qkv for w in _stimulus_words(spec, operands)]
    return {**emit_mac_baseline(spec), TESTBENCH: render("attn_mac_testbench.sv.j2", context),
            STIMULUS_FILE: "\n".join(words) + "\n"}


def expected_mac_trace(q: np.ndarray, k: np.ndarray, v: np.ndarray) -> list[str]:
    """The reference's outputs in the testbench's format: "Y <(h * N + i) * DH + dim> <value>"."""
    return [f"Y {index} {int(y)}" for index, y in enumerate(mac_softmax_attention(q, k, v).ravel())]


def cosimulate_mac_baseline(spec: AttentionSpec, work_dir: Path,
                            runs: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> CosimResult:
    """Run the baseline core in Icarus on each (q, k, v) of `runs`, one after another, and compare every
    output with :func:`mac_softmax_attention`."""
    work_dir = Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    write_files(work_dir, emit_mac_testbench(spec, runs))
    rtl, cycles = run_icarus(work_dir, sources=MAC_SOURCES)
    expected = [line for qkv in runs for line in expected_mac_trace(*qkv)]
    return CosimResult(tuple(rtl), tuple(expected), cycles)


def cosimulate_mac_netlist(spec: AttentionSpec, work_dir: Path, runs: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
                           device: str = "up5k", tools: str = "auto") -> CosimResult:
    """`cosimulate_mac_baseline` on the core as yosys synthesises it for `device` (the netlist the LUT counts
    come from), run on yosys's own iCE40 cell models (SB_MAC16 among them)."""
    work_dir = Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    write_files(work_dir, {**emit_mac_testbench(spec, runs), ICE40_MODELS: ice40_cell_models()})
    dsp = " -dsp" if DEVICES[device].dsp else ""
    reads = "".join(f"read_verilog -sv {name}\n" for name in MAC_SOURCES)
    (work_dir / "netlist.ys").write_text(f"{reads}synth_ice40{dsp} -top {MAC_TOP}\nwrite_verilog -noattr {NETLIST}\n")
    yosys = str(find_toolchain(tools).yosys.path)
    run_tool("yosys", [yosys, "-q", "netlist.ys"], work_dir, work_dir / "yosys.log", 600)
    rtl, cycles = run_icarus(work_dir, sources=(NETLIST, ICE40_MODELS))
    expected = [line for qkv in runs for line in expected_mac_trace(*qkv)]
    return CosimResult(tuple(rtl), tuple(expected), cycles)
