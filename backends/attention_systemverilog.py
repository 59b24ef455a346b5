"""SystemVerilog for spike-driven attention: a thin generated top over hdl/attn_*.sv.

`emit_attention(spec)` returns a deterministic BuildPlan: the streaming layer top, the hand-written
library modules, a core-only wrapper (for the core's own synthesis figure), a testbench with its
stimulus (the fixed twin's Q/K/V spikes) and a manifest.
"""

from __future__ import annotations

import json
from importlib import resources

import jinja2
import numpy as np

from sc_neurocore import __version__
from sc_neurocore.transformers.fixed_attention import attention_formats, qkv_spikes, quantise_attention
from sc_neurocore.transformers.spec import AttentionSpec

from .systemverilog import TESTBENCH, TRACE_FILE, BuildPlan

__all__ = [
    "ATTN_TOP", "CORE_TOP", "ATTN_SOURCES", "CORE_SOURCES", "STIMULUS_FILE",
    "emit_attention", "render", "library_files", "cycles_per_step", "stimulus_words", "top_level_io_bits",
]

ATTN_TOP = "attn_top"
CORE_TOP = "attn_core_only"
LIBRARY = ("attn_layer.sv", "attn_core.sv", "attn_neurons.sv")
ATTN_SOURCES = (f"{ATTN_TOP}.sv", *LIBRARY)
CORE_SOURCES = (f"{CORE_TOP}.sv", "attn_core.sv")
STIMULUS_FILE = "attn_stimulus.mem"


def cycles_per_step(spec: AttentionSpec) -> int:
    """Core cycles of one time step: every (head, query, chunk) takes one pass over the N keys + 2."""
    return spec.num_heads * spec.tokens * (spec.head_dim // spec.lanes) * (spec.tokens + 2)


def top_level_io_bits(spec: AttentionSpec) -> int:
    """clk, rst, in_valid, busy, out_valid + the spike-word input + one output spike per lane."""
    return 5 + spec.head_dim + spec.lanes


def stimulus_words(q: np.ndarray, k: np.ndarray, v: np.ndarray) -> list[int]:
    """Spikes ``[T, H, N, DH]`` as load-port words: per step Q, K, V+ then V-, (head, token) order;
    bit ``c`` of a word is head dimension ``c``."""
    weights = 1 << np.arange(q.shape[-1], dtype=object)
    words = []
    for t in range(q.shape[0]):
        for plane in (q[t] > 0, k[t] > 0, v[t] > 0, v[t] < 0):
            words.extend(int(w) for w in (plane.reshape(-1, q.shape[-1]).astype(object) @ weights))
    return words


def render(template: str, context: dict) -> str:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("sc_neurocore.backends", "templates"),
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
    )
    return env.get_template(template).render(**context)


def library_files(names=LIBRARY) -> dict[str, str]:
    """Hand-written modules of hdl/, by file name."""
    hdl = resources.files("sc_neurocore.hdl")
    return {name: hdl.joinpath(name).read_text() for name in names}


def emit_attention(spec: AttentionSpec, spikes: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> BuildPlan:
    """The design of `spec`; the testbench replays `spikes` (default: the fixed twin's Q, K, V)."""
    formats = attention_formats(spec)
    q, k, v = qkv_spikes(quantise_attention(spec)) if spikes is None else spikes
    words = stimulus_words(q, k, v)
    hn = spec.num_heads * spec.tokens
    context = {
        "version": __version__, "block": spec.block, "top": ATTN_TOP, "core_top": CORE_TOP,
        "heads": spec.num_heads, "tokens": spec.tokens, "head_dim": spec.head_dim, "lanes": spec.lanes,
        "steps": q.shape[0], "pb": formats.pb, "yb": formats.yb, "ab": formats.ab,
        "out_threshold": spec.output_threshold, "cycles_per_step": cycles_per_step(spec),
        "addr_bits": max(1, (hn - 1).bit_length()),
        "y_addr_bits": max(1, (hn * spec.head_dim // spec.lanes - 1).bit_length()),
        "words_per_step": 4 * hn, "stimulus_file": STIMULUS_FILE, "trace_file": TRACE_FILE,
    }
    manifest = {
        "generator": f"sc-neurocore {__version__}",
        "block": spec.block,
        "spec": {**spec.__dict__},
        "top": ATTN_TOP,
        "sources": list(ATTN_SOURCES),
        "core_top": CORE_TOP,
        "core_sources": list(CORE_SOURCES),
        "testbench": TESTBENCH,
        "top_level_io_bits": top_level_io_bits(spec),
        "formats": {"popcount_bits": formats.pb, "step_sum_bits": formats.yb, "membrane_bits": formats.ab},
        "cycles_per_step": cycles_per_step(spec),
        "cycles_per_token_per_step": cycles_per_step(spec) / spec.tokens,
    }
    digits = (spec.head_dim + 3) // 4
    files = {
        f"{ATTN_TOP}.sv": render("attn_top.sv.j2", context),
        f"{CORE_TOP}.sv": render("attn_core_only.sv.j2", context),
        **library_files(),
        TESTBENCH: render("attn_testbench.sv.j2", context),
        STIMULUS_FILE: "".join(f"{w:0{digits}x}\n" for w in words),
        "manifest.json": json.dumps(manifest, indent=2, sort_keys=True) + "\n",
    }
    return BuildPlan(files=files, top=ATTN_TOP, sources=ATTN_SOURCES, memory_files=(), manifest=manifest)
