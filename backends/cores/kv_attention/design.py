"""SystemVerilog of the attention-variant cores (SSA, SDSA, A²OS²A) behind their narrow host port.

`emit_variant(core, stimulus)` returns a deterministic BuildPlan: a thin generated top with a narrow host
port (`hdl/attention/attn_kv_stream.sv`: one load word per clock, attention spikes out, ``5 + word bits + lanes``
pins) over the hand-written `hdl/attention/attn_kv_layer.sv` (SSA, A²OS²A: K^T V order) or `hdl/attention/sdsa_core.sv`, the
library modules, a testbench with its stimulus (host words) and a manifest. What differs between the
kinds (word widths, sections, parameters, address widths) is the core's (see `core.py`).
"""

from __future__ import annotations


import numpy as np

from sc_neurocore import __version__
from sc_neurocore.sim.twins.attention_variants import VariantStimulus, variant_formats

from sc_neurocore.backends.build.plan import BuildPlan, TESTBENCH, TRACE_FILE, assemble_plan
from sc_neurocore.backends.build.templates import library_files, memory_image, render_template

__all__ = ["STIMULUS_FILE", "address_bits", "pack_bits", "emit_variant"]

STIMULUS_FILE = "variant_stimulus.mem"


def address_bits(count: int) -> int:
    """Address bits for `count` entries, as the RTL's ``$clog2(count > 1 ? count : 2)``."""
    return max(1, (count - 1).bit_length())


def pack_bits(plane: np.ndarray) -> list[int]:
    """Rows of 0/1 ``[..., W]`` as integers, bit ``i`` = column ``i``."""
    weights = 1 << np.arange(plane.shape[-1], dtype=object)
    return [int(w) for w in plane.reshape(-1, plane.shape[-1]).astype(object) @ weights]


def emit_variant(core, stimulus: VariantStimulus) -> BuildPlan:
    """The design of `core` (a :class:`.core.VariantCore`); the testbench streams `stimulus` through the
    host port."""
    spec = core.spec
    data_bits = core.host_word_bits()
    steps = core.load_words(stimulus)  # in the stream's order: sections by sel, addresses ascending
    f = variant_formats(spec, stimulus.theta)
    words, kwords, sections = core.section_words()
    top, sources = core.top, core.sources
    parameters = core.module_parameters(stimulus.theta)
    context = {
        "version": __version__, "variant": spec.variant, "kind": core.template_kind, "top": top,
        "module": core.module, "title": core.description,
        "shape": core.shape_text(), "steps": spec.T, "lanes": spec.lanes, "tokens": spec.tokens,
        "embed_dim": spec.embed_dim, "core_cycles": core.cycles_per_step(),
        "stream_cycles": core.stream_cycles_per_step(), "params": parameters, "sections": core.section_text(),
        "out_order": core.out_order, "out_words": spec.heads * spec.tokens * spec.chunks, "words": words,
        "kwords": kwords, "section_count": sections, "addr_bits": core.load_address_bits(), "data_bits": data_bits,
        "yb": f.yb, "ab": f.ab, "words_per_step": core.words_per_step(),
        "stimulus_file": STIMULUS_FILE, "trace_file": TRACE_FILE,
    }
    manifest = {
        "variant": spec.variant,
        "spec": {**spec.__dict__},
        "parameters": dict(parameters),
        "k_shift": stimulus.k_shift,
        "top_level_io_bits": core.top_level_io_bits(),
        "host_word_bits": data_bits,
        "words_per_step": core.words_per_step(),
        "core_cycles_per_step": core.cycles_per_step(),
        "cycles_per_step": core.stream_cycles_per_step(),
    }
    files = {
        f"{top}.sv": render_template("kv_attention", "attn_variant_top.sv.j2", context),
        **library_files(core.library),
        TESTBENCH: render_template("kv_attention", "attn_variant_testbench.sv.j2", context),
        STIMULUS_FILE: memory_image([data for step in steps for _, _, data in step], data_bits),
    }
    return assemble_plan(top, sources, files, manifest)
