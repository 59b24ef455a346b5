"""SystemVerilog for the CPG-PE position encoder: a thin generated top over hdl/cpg/cpg_encoder.sv."""

from __future__ import annotations


from sc_neurocore import __version__
from sc_neurocore.sim.twins.cpg import cpg_constants
from sc_neurocore.transformers.spec import CpgSpec

from sc_neurocore.backends.build.plan import BuildPlan, TESTBENCH, TRACE_FILE, assemble_plan
from sc_neurocore.backends.build.templates import library_files, memory_image, render_template
from sc_neurocore.backends.cores.ssm.design import lane_words

__all__ = ["CPG_TOP", "CPG_SOURCES", "CPG_MEMORIES", "emit_cpg", "cycles_per_position", "top_level_io_bits"]

CPG_TOP = "cpg_top"
CPG_SOURCES = (f"{CPG_TOP}.sv", "cpg_encoder.sv")
W_FILE = "cpg_w.mem"
CPG_MEMORIES = (W_FILE,)


def cycles_per_position(spec: CpgSpec) -> int:
    """Busy cycles per position: one per row of `lanes` phases, plus one to drain the pipeline."""
    return spec.d_model // 2 // spec.lanes + 1


def top_level_io_bits(spec: CpgSpec) -> int:
    """clk, rst, in_valid, busy, out_valid + two spikes (sin, cos) per lane."""
    return 5 + 2 * spec.lanes


def emit_cpg(spec: CpgSpec) -> BuildPlan:
    """The encoder of `spec`, its increment image, a testbench over `spec.positions` and a manifest."""
    k = cpg_constants(spec)
    context = {
        "version": __version__, "block": spec.block, "top": CPG_TOP, "d_model": spec.d_model,
        "phase_bits": spec.phase_bits, "lanes": spec.lanes, "lo": k.lo, "hi": k.hi, "cw": k.cw,
        "w_file": W_FILE, "positions": spec.positions, "trace_file": TRACE_FILE,
        "cycles_per_position": cycles_per_position(spec),
    }
    manifest = {
        "block": spec.block, "spec": {**spec.__dict__}, "memories": list(CPG_MEMORIES),
        "top_level_io_bits": top_level_io_bits(spec), "windows": {"lo": k.lo, "hi": k.hi, "cw": k.cw},
        "cycles_per_position": cycles_per_position(spec),
    }
    words = lane_words(k.increments[:, None], spec.lanes, spec.phase_bits)
    files = {
        f"{CPG_TOP}.sv": render_template("cpg", "cpg_top.sv.j2", context),
        **library_files(("cpg_encoder.sv",)),
        W_FILE: memory_image(words, spec.phase_bits * spec.lanes),
        TESTBENCH: render_template("cpg", "cpg_testbench.sv.j2", context),
    }
    return assemble_plan(CPG_TOP, CPG_SOURCES, files, manifest, CPG_MEMORIES)
