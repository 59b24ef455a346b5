"""SystemVerilog for spike-driven attention: a thin generated top over hdl/attn_*.sv.

`emit_attention(spec, fixed=...)` returns a deterministic BuildPlan: the layer top (projections, Q/K/V
neurons, attention core and output neurons on chip), the hand-written library modules, a testbench
with its stimulus (the quantised weights, then each inference's quantised input) and a manifest. The
weights and thresholds are those of the integer twin `fixed` (default: the spec's seed layer).
"""

from __future__ import annotations


import numpy as np

from sc_neurocore import __version__
from sc_neurocore.sim.twins.seed_attention import (
    FixedAttention, attention_formats, projection_formats, quantise_attention,
)
from sc_neurocore.transformers.spec import AttentionSpec

from sc_neurocore.backends.build.plan import BuildPlan, TESTBENCH, TRACE_FILE, assemble_plan
from sc_neurocore.backends.build.templates import library_files, memory_image, render_template

__all__ = [
    "ATTN_TOP", "ATTN_SOURCES", "LIBRARY", "PARTS", "INLINE_MODULES", "STIMULUS_FILE", "emit_attention",
    "cycles_per_step", "projection_cycles", "busy_cycles_per_inference", "host_words", "host_word_bits",
    "top_level_io_bits",
]

ATTN_TOP = "attn_top"
LIBRARY = ("attn_full_layer.sv", "attn_qkv.sv", "attn_core.sv", "attn_neurons.sv", "attn_membranes.sv")
ATTN_SOURCES = (f"{ATTN_TOP}.sv", *LIBRARY)
# the layer's parts by hdl module: what a hierarchy-kept synthesis reports separately
PARTS = {"attn_core": "attention core", "attn_qkv": "projections, Q/K/V IF", "attn_neurons": "output neurons",
         "attn_full_layer": "layer control"}
# library modules synthesised as part of the part that instantiates them (attn_neurons' attn_membranes)
INLINE_MODULES = ("attn_membranes",)
STIMULUS_FILE = "attn_stimulus.mem"


def cycles_per_step(spec: AttentionSpec) -> int:
    """Core cycles of one time step: every (head, query, chunk) takes one pass over the N keys + 2."""
    return spec.num_heads * spec.tokens * (spec.head_dim // spec.lanes) * (spec.tokens + 2)


def projection_cycles(spec: AttentionSpec) -> int:
    """Cycles of attn_qkv per inference: per (token, output dim) D multiplies (Q, K and V at once), 2 to
    drain the multipliers and T of IF; per (token, head) the T words of Q, K and |V| and V's sign word."""
    d, n = spec.embed_dim, spec.tokens
    return n * d * (d + 2 + spec.T) + n * spec.num_heads * (3 * spec.T + 1)


def busy_cycles_per_inference(spec: AttentionSpec) -> int:
    """Clocks `busy` is high for one inference: the projections, then per time step the core's schedule
    and 4 clocks to start it and drain the output neurons, and one clock to hand back."""
    return projection_cycles(spec) + spec.T * (cycles_per_step(spec) + 4) + 1


def host_word_bits(spec: AttentionSpec) -> int:
    return max(spec.in_bits, spec.weight_bits)


def top_level_io_bits(spec: AttentionSpec) -> int:
    """clk, rst, in_valid, busy, out_valid + one host word + one output spike per lane."""
    return 5 + host_word_bits(spec) + spec.lanes


def _twos(values: np.ndarray, bits: int) -> list[int]:
    return [int(v) & ((1 << bits) - 1) for v in np.asarray(values).ravel()]


def host_words(fixed: FixedAttention, inputs: list[np.ndarray]) -> list[int]:
    """What the host streams: W_q, W_k, W_v transposed (output dimension, then input dimension), then
    each input's x_q [tokens, embed_dim], as two's complement words."""
    bits = host_word_bits(fixed.spec)
    words = []
    for name in ("q", "k", "v"):
        words += _twos(fixed.w_int[name].T, bits)
    for x_int in inputs:
        words += _twos(x_int, bits)
    return words


def emit_attention(spec: AttentionSpec, inputs: list[np.ndarray] | None = None,
                   fixed: FixedAttention | None = None) -> BuildPlan:
    """The design of `spec` with the weights and thresholds of `fixed` (default: the seed twin, whose
    thresholds follow the seed input's scale); the testbench runs one inference per quantised input
    of `inputs` (default: the twin's own)."""
    fixed = quantise_attention(spec) if fixed is None else fixed
    inputs = [fixed.x_int] if inputs is None else inputs
    formats, projection = attention_formats(spec), projection_formats(fixed)
    hn = spec.num_heads * spec.tokens
    ib = host_word_bits(spec)
    context = {
        "version": __version__, "block": spec.block, "top": ATTN_TOP,
        "heads": spec.num_heads, "tokens": spec.tokens, "head_dim": spec.head_dim, "lanes": spec.lanes,
        "embed_dim": spec.embed_dim, "steps": spec.T, "pb": formats.pb, "yb": formats.yb, "ab": formats.ab,
        "xb": spec.in_bits, "wb": spec.weight_bits, "ib": ib, "db": projection.db, "vb": projection.vb,
        "thq": fixed.theta["q"], "thk": fixed.theta["k"], "thv": fixed.theta["v"],
        "out_threshold": spec.output_threshold, "cycles_per_step": cycles_per_step(spec),
        "projection_cycles": projection_cycles(spec), "addr_bits": max(1, (hn - 1).bit_length()),
        "weight_words": 3 * spec.embed_dim ** 2, "input_words": spec.tokens * spec.embed_dim,
        "inferences": len(inputs), "stimulus_file": STIMULUS_FILE, "trace_file": TRACE_FILE,
    }
    manifest = {
        "block": spec.block,
        "spec": {**spec.__dict__},
        "parts": PARTS,
        "top_level_io_bits": top_level_io_bits(spec),
        "formats": {"popcount_bits": formats.pb, "step_sum_bits": formats.yb, "membrane_bits": formats.ab,
                    "drive_bits": projection.db, "qkv_membrane_bits": projection.vb},
        "qkv_thresholds": dict(fixed.theta),
        "input_scale_shift": fixed.x_shift,  # the host sends x_q = round(x 2^shift), saturated to in_bits
        "host_words": {"weights": 3 * spec.embed_dim ** 2, "input": spec.tokens * spec.embed_dim, "bits": ib},
        "projection_cycles": projection_cycles(spec),
        "cycles_per_step": cycles_per_step(spec),
        "cycles_per_token_per_step": cycles_per_step(spec) / spec.tokens,
        "cycles_per_inference": projection_cycles(spec) + spec.T * cycles_per_step(spec),
    }
    files = {
        f"{ATTN_TOP}.sv": render_template("attention", "attn_top.sv.j2", context),
        **library_files(LIBRARY),
        TESTBENCH: render_template("attention", "attn_testbench.sv.j2", context),
        STIMULUS_FILE: memory_image(host_words(fixed, inputs), ib),
    }
    return assemble_plan(ATTN_TOP, ATTN_SOURCES, files, manifest)
