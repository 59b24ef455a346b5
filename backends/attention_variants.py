"""SystemVerilog, co-simulation and synthesis of the attention-variant cores (SSA, SDSA, A²OS²A).

`emit_variant(spec)` returns a deterministic BuildPlan: a thin generated top with a narrow host port
(`hdl/attn_kv_stream.sv`: one load word per clock, attention spikes out, ``5 + word bits + lanes``
pins) over the hand-written `hdl/attn_kv_layer.sv` (SSA, A²OS²A: K^T V order) or `hdl/sdsa_core.sv`,
the library modules, a testbench with its stimulus (host words) and a manifest. `cosimulate_variant`
runs it in Icarus against :mod:`sc_neurocore.sim.twins.attention_variants`; `synthesise_variant` runs
yosys alone on it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from sc_neurocore import __version__
from sc_neurocore.sim.twins.attention_variants import (
    VariantSpec, VariantStimulus, model_qkv, run_variant, variant_formats, variant_stimulus,
)
from sc_neurocore.models.attention import split_heads

from .attention_systemverilog import library_files, render
from .build_dir import write_files
from .cosim import CosimResult, run_icarus
from .systemverilog import TESTBENCH, TRACE_FILE, BuildPlan

__all__ = [
    "STIMULUS_FILE", "top_name", "sources", "cycles_per_step", "host_word_bits", "top_level_io_bits",
    "words_per_step", "stream_cycles_per_step", "module_parameters", "load_words", "default_stimulus",
    "emit_variant", "expected_variant_trace", "cosimulate_variant", "synthesise_variant",
]

STIMULUS_FILE = "variant_stimulus.mem"
_KV_LIBRARY = ("attn_kv_stream.sv", "attn_kv_layer.sv", "attn_kv_core.sv", "attn_lif.sv")
_SDSA_LIBRARY = ("attn_kv_stream.sv", "sdsa_core.sv", "attn_lif.sv")


def _bits(count: int) -> int:
    """Address bits for `count` entries, as the RTL's ``$clog2(count > 1 ? count : 2)``."""
    return max(1, (count - 1).bit_length())


def top_name(spec: VariantSpec) -> str:
    return f"{spec.variant}_top"


def sources(spec: VariantSpec) -> tuple[str, ...]:
    """The generated top and the library modules it needs, top first."""
    return (f"{top_name(spec)}.sv", *(_SDSA_LIBRARY if spec.variant == "sdsa" else _KV_LIBRARY))


def cycles_per_step(spec: VariantSpec) -> int:
    """Core busy cycles of one time step (the RTL's schedule; the co-simulation measures it)."""
    n, d, chunks = spec.tokens, spec.head_dim, spec.chunks
    if spec.variant == "sdsa":
        return chunks * (2 * n + 4) + 1
    return spec.heads * (2 * n * d * chunks + 4) + 3


def _key_bits(spec: VariantSpec) -> int:
    """Unsigned K bits: A²OS²A's quantised real K, else a binary spike."""
    return spec.k_bits if spec.variant == "a2os2a" else 1


def host_word_bits(spec: VariantSpec) -> int:
    """Bits of a host word: a lanes-wide spike chunk (SDSA), else a head's spike word or a K value."""
    return spec.lanes if spec.variant == "sdsa" else max(spec.head_dim, _key_bits(spec))


def top_level_io_bits(spec: VariantSpec) -> int:
    """clk, rst, in_valid, busy, out_valid + one host word + one output spike per lane."""
    return 5 + host_word_bits(spec) + spec.lanes


def _section_words(spec: VariantSpec) -> tuple[int, int, int]:
    """Words of the Q (and V) sections, of the K section, and the number of sections."""
    if spec.variant == "sdsa":
        words = spec.tokens * spec.chunks
        return words, words, 3
    tokens = spec.heads * spec.tokens
    kwords = tokens if _key_bits(spec) == 1 else tokens * spec.head_dim  # binary K: d-bit words like Q
    return tokens, kwords, 4 if spec.variant == "a2os2a" else 3


def words_per_step(spec: VariantSpec) -> int:
    """Host words of one time step: every section once."""
    words, kwords, sections = _section_words(spec)
    return kwords + (sections - 1) * words


def stream_cycles_per_step(spec: VariantSpec) -> int:
    """Clocks of one time step at the host port: its words, one clock to start, the core's busy cycles."""
    return words_per_step(spec) + 1 + cycles_per_step(spec)


def module_parameters(spec: VariantSpec, theta: int) -> list[tuple[str, int]]:
    """The hdl module's parameters, formats sized by :func:`variant_formats`."""
    f = variant_formats(spec, theta)
    if spec.variant == "sdsa":
        return [("N", spec.tokens), ("D", spec.embed_dim), ("LANES", spec.lanes), ("YB", f.yb), ("AB", f.ab),
                ("F", spec.frac_bits), ("TH", theta)]
    return [("N", spec.tokens), ("H", spec.heads), ("DH", spec.head_dim), ("LANES", spec.lanes), ("KB", f.kb),
            ("TERNARY", int(spec.variant == "a2os2a")), ("KVB", f.kvb), ("YB", f.yb), ("AB", f.ab),
            ("F", spec.frac_bits), ("TH", theta)]


def _load_address_bits(spec: VariantSpec) -> int:
    """Bits of the core's load address (attn_kv_core: wide enough for one K value per address)."""
    if spec.variant == "sdsa":
        return _bits(spec.tokens * spec.chunks)
    return _bits(spec.heads * spec.tokens * spec.head_dim)


def _pack_bits(plane: np.ndarray) -> list[int]:
    """Rows of 0/1 ``[..., W]`` as integers, bit ``i`` = column ``i``."""
    weights = 1 << np.arange(plane.shape[-1], dtype=object)
    return [int(w) for w in plane.reshape(-1, plane.shape[-1]).astype(object) @ weights]


def load_words(spec: VariantSpec, stimulus: VariantStimulus) -> list[list[tuple[int, int, int]]]:
    """Per time step, the load-port writes ``(sel, addr, data)``. SSA / A²OS²A: Q words at
    ``h * N + n`` (sel 0), K (sel 1: binary K as words at ``h * N + n``, else values at
    ``(h * N + n) * DH + a``), V+ and V- words (sel 2, 3; V- only for ternary V). SDSA: Q, K, V as
    ``lanes``-bit words at ``n * chunks + chunk`` (sel 0, 1, 2)."""
    steps = []
    for t in range(spec.T):
        q, k, v = stimulus.q[t], stimulus.k[t], stimulus.v[t]
        if spec.variant == "sdsa":
            chunked = [a.reshape(spec.tokens, spec.chunks, spec.lanes) > 0 for a in (q, k, v)]
            steps.append([(sel, i, w) for sel, plane in enumerate(chunked) for i, w in enumerate(_pack_bits(plane))])
            continue
        q_h, k_h, v_h = (split_heads(a, spec.heads) for a in (q, k, v))  # [H, N, d]
        words = [(0, i, w) for i, w in enumerate(_pack_bits(q_h > 0))]
        if _key_bits(spec) == 1:
            words += [(1, i, w) for i, w in enumerate(_pack_bits(k_h > 0))]
        else:
            words += [(1, i, int(value)) for i, value in enumerate(k_h.reshape(-1))]
        words += [(2, i, w) for i, w in enumerate(_pack_bits(v_h > 0))]
        if spec.variant == "a2os2a":
            words += [(3, i, w) for i, w in enumerate(_pack_bits(v_h < 0))]
        steps.append(words)
    return steps


def default_stimulus(spec: VariantSpec) -> VariantStimulus:
    """The float model's own Q/K/V on its seeded input (see :func:`sc_neurocore.sim.twins.attention_variants.model_qkv`)."""
    model, q, k, v, _ = model_qkv(spec)
    return variant_stimulus(spec, q, k, v, model)


def emit_variant(spec: VariantSpec, stimulus: VariantStimulus | None = None) -> BuildPlan:
    """The design of `spec`; the testbench streams `stimulus` through the host port (default: the float
    model's own Q/K/V from its seeded input, see :func:`sc_neurocore.sim.twins.attention_variants.model_qkv`)."""
    stimulus = default_stimulus(spec) if stimulus is None else stimulus
    data_bits = host_word_bits(spec)
    steps = load_words(spec, stimulus)  # in the stream's order: sections by sel, addresses ascending
    f = variant_formats(spec, stimulus.theta)
    words, kwords, sections = _section_words(spec)
    kind = "sdsa" if spec.variant == "sdsa" else "kv"
    if kind == "sdsa":
        shape, out_order = f"{spec.tokens} tokens x {spec.embed_dim} channels", "chunk-major (word k: token k % N)"
        section_names = "Q, K, V as lanes-bit chunks at token * chunks + chunk"
    else:
        shape = f"{spec.heads} heads x {spec.tokens} tokens x {spec.head_dim} dims"
        out_order = "by (head, token, chunk)"
        key = "K words" if _key_bits(spec) == 1 else "K values"
        section_names = f"Q words, {key}, V+ words" + (", V- words" if sections == 4 else "")
    top = top_name(spec)
    context = {
        "version": __version__, "variant": spec.variant, "kind": kind, "top": top,
        "module": "sdsa_core" if kind == "sdsa" else "attn_kv_layer",
        "title": "SDSA (channel-wise)" if kind == "sdsa" else "Linear-order (K^T V) attention",
        "shape": shape, "steps": spec.T, "lanes": spec.lanes, "tokens": spec.tokens, "embed_dim": spec.embed_dim,
        "core_cycles": cycles_per_step(spec), "stream_cycles": stream_cycles_per_step(spec),
        "params": module_parameters(spec, stimulus.theta), "sections": section_names, "out_order": out_order,
        "out_words": spec.heads * spec.tokens * spec.chunks, "words": words, "kwords": kwords,
        "section_count": sections, "addr_bits": _load_address_bits(spec), "data_bits": data_bits,
        "yb": f.yb, "ab": f.ab, "words_per_step": words_per_step(spec),
        "stimulus_file": STIMULUS_FILE, "trace_file": TRACE_FILE,
    }
    digits = (data_bits + 3) // 4
    stimulus_text = "".join(f"{data:0{digits}x}\n" for step in steps for _, _, data in step)
    manifest = {
        "generator": f"sc-neurocore {__version__}",
        "variant": spec.variant,
        "spec": {**spec.__dict__},
        "top": top,
        "sources": list(sources(spec)),
        "testbench": TESTBENCH,
        "parameters": dict(module_parameters(spec, stimulus.theta)),
        "k_shift": stimulus.k_shift,
        "top_level_io_bits": top_level_io_bits(spec),
        "host_word_bits": data_bits,
        "words_per_step": words_per_step(spec),
        "core_cycles_per_step": cycles_per_step(spec),
        "cycles_per_step": stream_cycles_per_step(spec),
    }
    files = {
        f"{top}.sv": render("attn_variant_top.sv.j2", context),
        **library_files(sources(spec)[1:]),
        TESTBENCH: render("attn_variant_testbench.sv.j2", context),
        STIMULUS_FILE: stimulus_text,
        "manifest.json": json.dumps(manifest, indent=2, sort_keys=True) + "\n",
    }
    return BuildPlan(files=files, top=top, sources=sources(spec), memory_files=(), manifest=manifest)


def expected_variant_trace(spec: VariantSpec, stimulus: VariantStimulus) -> list[str]:
    """The integer twin's run in the testbench's order and format."""
    run = run_variant(spec, stimulus)
    lines = []
    for t in range(spec.T):
        if spec.variant != "sdsa":
            y, u, s = (split_heads(a[t], spec.heads).reshape(-1) for a in (run.y, run.u, run.spikes))
            lines += [f"U {t} {i} {int(y[i])} {int(u[i])} {int(s[i])}" for i in range(y.size)]
            continue
        lanes, chunks = spec.lanes, spec.chunks
        for chunk in range(chunks):
            channels = range(chunk * lanes, (chunk + 1) * lanes)
            lines += [f"N {t} {c} {int(run.y[t, c])} {int(run.u[t, c])} {int(run.spikes[t, c])}" for c in channels]
            lines += [f"O {t} {n * spec.embed_dim + c} {int(run.out[t, n, c])}"
                      for n in range(spec.tokens) for c in channels]
    return lines


def cosimulate_variant(spec: VariantSpec, work_dir: Path, stimulus: VariantStimulus | None = None) -> CosimResult:
    """Emit `spec`'s core with `stimulus`, run Icarus, compare every line with the twin."""
    stimulus = default_stimulus(spec) if stimulus is None else stimulus
    work_dir = Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    write_files(work_dir, emit_variant(spec, stimulus).files)
    rtl, cycles = run_icarus(work_dir, sources=sources(spec))
    return CosimResult(tuple(rtl), tuple(expected_variant_trace(spec, stimulus)), cycles)


def synthesise_variant(spec: VariantSpec, work_dir: Path, device: str = "up5k", tools: str = "auto",
                       stimulus: VariantStimulus | None = None) -> dict:
    """yosys synth_ice40 of the core alone (no place and route): its cells by type."""
    from .attention_deploy import synthesise_core  # imported on use: attention_deploy dispatches variant specs here

    stimulus = default_stimulus(spec) if stimulus is None else stimulus
    work_dir = Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    plan = emit_variant(spec, stimulus)
    write_files(work_dir, {name: plan.files[name] for name in sources(spec)})
    return synthesise_core(work_dir, top=top_name(spec), sources=sources(spec), device=device, tools=tools)
