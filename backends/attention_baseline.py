"""The cost baseline: the same attention layer as 8-bit multiply-accumulate dot products with a
power-of-two integer softmax (`hdl/attn_mac_core.sv`), emitted the same way as the spiking core."""

from __future__ import annotations

from sc_neurocore import __version__
from sc_neurocore.transformers.spec import AttentionSpec

from .attention_systemverilog import library_files, render

__all__ = ["MAC_TOP", "MAC_SOURCES", "mac_cycles_per_step", "emit_mac_baseline"]

MAC_TOP = "attn_mac_only"
MAC_SOURCES = (f"{MAC_TOP}.sv", "attn_mac_core.sv")


def mac_cycles_per_step(spec: AttentionSpec) -> int:
    """Per (head, query): N scores of C chunks + 1, then C chunks of N weighted V rows + 1."""
    chunks = spec.head_dim // spec.lanes
    return spec.num_heads * spec.tokens * (spec.tokens * (chunks + 1) + chunks * (spec.tokens + 1))


def emit_mac_baseline(spec: AttentionSpec) -> dict[str, str]:
    """The baseline core's wrapper and library source, by file name."""
    hnc = spec.num_heads * spec.tokens * spec.head_dim // spec.lanes
    context = {
        "version": __version__, "block": spec.block, "mac_top": MAC_TOP, "lanes": spec.lanes,
        "tokens": spec.tokens, "heads": spec.num_heads, "head_dim": spec.head_dim,
        "addr_bits": max(1, (hnc - 1).bit_length()),
        "sb": 17 + spec.head_dim.bit_length(), "ob": 17 + spec.tokens.bit_length(),
    }
    return {f"{MAC_TOP}.sv": render("attn_mac_only.sv.j2", context), **library_files(MAC_SOURCES[1:])}
