"""The cost baseline's SystemVerilog: the same attention layer as 8-bit multiply-accumulate dot products
with a power-of-two integer softmax (`hdl/attention/attn_mac_core.sv`) under a thin generated wrapper, and a testbench
that loads and runs input sets (q, k, v) through its write port."""

from __future__ import annotations


import numpy as np

from sc_neurocore import __version__
from sc_neurocore.errors import InputError
from sc_neurocore.transformers.spec import AttentionSpec

from sc_neurocore.backends.build.plan import BuildPlan, TESTBENCH, TRACE_FILE, assemble_plan
from sc_neurocore.backends.build.templates import library_files, render_template

__all__ = ["KIND", "MAC_TOP", "MAC_SOURCES", "STIMULUS_FILE", "mac_cycles_per_step", "emit_mac_baseline",
           "emit_mac_testbench", "output_bits"]

KIND = "mac_attention_baseline"
MAC_TOP = "attn_mac_only"
MAC_SOURCES = (f"{MAC_TOP}.sv", "attn_mac_core.sv")
STIMULUS_FILE = "stimulus.mem"


def mac_cycles_per_step(spec: AttentionSpec) -> int:
    """Per (head, query): N scores of C chunks + 1, then C chunks of N weighted V rows + 1."""
    chunks = spec.head_dim // spec.lanes
    return spec.num_heads * spec.tokens * (spec.tokens * (chunks + 1) + chunks * (spec.tokens + 1))


def output_bits(spec: AttentionSpec) -> int:
    """Bits of one output value: wide enough that 8-bit operands never overflow it."""
    return 17 + spec.tokens.bit_length()


def _context(spec: AttentionSpec) -> dict:
    words = spec.num_heads * spec.tokens * spec.head_dim // spec.lanes
    return {
        "version": __version__, "block": spec.block, "mac_top": MAC_TOP, "lanes": spec.lanes,
        "tokens": spec.tokens, "heads": spec.num_heads, "head_dim": spec.head_dim, "words": words,
        "addr_bits": max(1, (words - 1).bit_length()),
        # score and output registers wide enough that 8-bit operands never overflow them
        "sb": 17 + spec.head_dim.bit_length(), "ob": output_bits(spec),
    }


def emit_mac_baseline(spec: AttentionSpec) -> dict[str, str]:
    """The baseline core's wrapper and library source, by file name."""
    return {f"{MAC_TOP}.sv": render_template("mac_baseline", "attn_mac_only.sv.j2", _context(spec)),
            **library_files(MAC_SOURCES[1:])}


def _check_operands(spec: AttentionSpec, qkv: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    shape = (spec.num_heads, spec.tokens, spec.head_dim)
    for name, a in zip("qkv", qkv):
        if np.shape(a) != shape:
            raise InputError(f"{name} must have shape {shape} (heads, tokens, head_dim), got {np.shape(a)}")


def _stimulus_words(spec: AttentionSpec, operands: np.ndarray) -> list[str]:
    """One hex word per memory address: LANES 8-bit two's-complement values, lane l in bits 8l..8l+7."""
    lanes = np.asarray(operands, dtype=np.int64).reshape(-1, spec.lanes) & 0xFF
    return [f"{sum(int(b) << (8 * l) for l, b in enumerate(row)):0{2 * spec.lanes}x}" for row in lanes]


def emit_mac_testbench(spec: AttentionSpec, runs: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> BuildPlan:
    """The baseline core plus a testbench that loads and runs each (q, k, v) of `runs` ([H, N, DH] each),
    and a manifest."""
    for qkv in runs:
        _check_operands(spec, qkv)
    context = {**_context(spec), "inferences": len(runs), "stimulus_file": STIMULUS_FILE,
               "trace_file": TRACE_FILE, "outputs": spec.num_heads * spec.tokens * spec.head_dim}
    words = [w for qkv in runs for operands in qkv for w in _stimulus_words(spec, operands)]
    manifest = {
        "block": KIND,
        "spec": {**spec.__dict__},
        "cycles_per_step": mac_cycles_per_step(spec),
    }
    files = {**emit_mac_baseline(spec), TESTBENCH: render_template("mac_baseline", "attn_mac_testbench.sv.j2", context),
             STIMULUS_FILE: "\n".join(words) + "\n"}
    return assemble_plan(MAC_TOP, MAC_SOURCES, files, manifest)
