"""Co-simulation of the attention layer: Icarus runs the emitted testbench, the fixed twin predicts it."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sc_neurocore.transformers.fixed_attention import qkv_spikes, quantise_attention, run_attention_core
from sc_neurocore.transformers.spec import AttentionSpec

from .attention_systemverilog import ATTN_SOURCES, emit_attention
from .build_dir import write_files
from .cosim import CosimResult, run_icarus

__all__ = ["expected_attention_trace", "cosimulate_attention"]


def expected_attention_trace(spec: AttentionSpec, q: np.ndarray, k: np.ndarray, v: np.ndarray) -> list[str]:
    """Every output-neuron update of the fixed twin, in the testbench's order and format."""
    run = run_attention_core(q, k, v, spec.output_threshold)
    lines = []
    for t in range(run.u.shape[0]):
        for index, (u, s) in enumerate(zip(run.u[t].ravel(), run.spikes[t].ravel())):
            lines.append(f"U {t} {index} {int(u)} {int(s)}")
    return lines


def cosimulate_attention(spec: AttentionSpec, work_dir: Path, spikes=None) -> CosimResult:
    """Emit `spec`'s layer with `spikes` (default: its fixed twin's), run Icarus, compare."""
    q, k, v = qkv_spikes(quantise_attention(spec)) if spikes is None else spikes
    work_dir = Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    write_files(work_dir, emit_attention(spec, (q, k, v)).files)
    rtl, cycles = run_icarus(work_dir, sources=ATTN_SOURCES)
    return CosimResult(tuple(rtl), tuple(expected_attention_trace(spec, q, k, v)), cycles)
