"""The seed spike-driven attention layer as a core: projections, Q/K/V neurons, the addition-only
attention core and the output neurons on chip, streaming weights and inputs in through one host word.

The stimulus of `emit`, `expected_trace` and `cosimulate` is a list of float inputs [tokens, embed_dim],
each quantised at the twin's input scale as the host does (manifest ``input_scale_shift``); None is the
twin's own input.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sc_neurocore.ir import blocks as ops
from sc_neurocore.sim.twins.seed_attention import (
    FixedAttention, attention_spec_for, input_shift, qkv_spikes, quantise_attention, run_attention_core,
)
from sc_neurocore.transformers.spec import ATTENTION_BLOCK, AttentionSpec
from sc_neurocore.transformers.spikformer import spike_driven_attention

from sc_neurocore.backends.build.build_dir import write_files
from sc_neurocore.backends.build.plan import BuildPlan
from sc_neurocore.backends.build.stream import DENSE, StreamPort, lane_words, words_lanes
from sc_neurocore.backends.cores.attention.design import (
    ATTN_SOURCES, ATTN_TOP, INLINE_MODULES, PARTS, busy_cycles_per_inference, emit_attention, host_word_bits,
    host_words,
)
from sc_neurocore.backends.cores.attention.fit import needs
from sc_neurocore.backends.cores.attention.trace import expected_attention_trace
from sc_neurocore.backends.cores.core import TwinFoldedCore
from sc_neurocore.backends.cores.settings import ATTENTION_INPUT_PEAK, ATTENTION_TOKENS, BlockSettings
from sc_neurocore.backends.device import Ice40Device
from sc_neurocore.backends.flow.synth import synthesise_modules

__all__ = ["AttentionCore", "PARTS_DIR"]

PARTS_DIR = "parts"  # the hierarchy-kept synthesis of the layer's parts, inside the build directory
_NO_SPRAM_ADVICE = "no fold fits: the projections need a part with SPRAM and SB_MAC16 (up5k)"


class AttentionCore(TwinFoldedCore):
    """The layer of `spec` with the weights and thresholds of `fixed` (default: the seed twin, whose
    thresholds follow the seed input's scale)."""

    kind = ATTENTION_BLOCK
    title = "attention layer"
    no_fold_advice = "no fold fits: use fewer tokens, a smaller embedding or fewer time steps"
    uses_cell_models = True  # attn_qkv's SB_SPRAM256KA runs as yosys's own model of the primitive
    op_kinds = (ops.SpikeDrivenAttentionOp.KIND,)

    spec: AttentionSpec
    fixed: FixedAttention
    quantise = staticmethod(quantise_attention)

    @classmethod
    def from_op(cls, name: str, op: ops.SpikeDrivenAttentionOp, settings: BlockSettings) -> AttentionCore:
        """The seed attention layer with the op's W_q, W_k, W_v; its thresholds follow the input scale
        that holds `input_peak` (the manifest's ``input_scale_shift``), the testbench replays seed rates."""
        tokens = ATTENTION_TOKENS if settings.tokens is None else settings.tokens
        peak = ATTENTION_INPUT_PEAK if settings.input_peak is None else settings.input_peak
        layer = spike_driven_attention(op)
        spec = attention_spec_for(layer, tokens=tokens, lanes=settings.lanes, weight_bits=settings.weight_bits)
        return cls(spec, quantise_attention(spec, model=layer, x_shift=input_shift(spec, peak)))

    @classmethod
    def example(cls) -> AttentionCore:
        """16 dims, 2 heads, 6 tokens, T = 4 on 2 lanes: Q, K, |V| and V's signs all carry ones, neurons fire."""
        return cls(AttentionSpec(embed_dim=16, num_heads=2, tokens=6, T=4, threshold=0.25, lanes=2, out_threshold=3))

    def cosim_cycles(self, stimulus=None) -> int:
        """Activity-independent: every inference takes the same busy clocks."""
        inferences = 1 if stimulus is None else len(stimulus)
        return inferences * busy_cycles_per_inference(self.spec)

    def _runs(self, stimulus) -> list[FixedAttention]:
        """The twin on each float input of `stimulus`, quantised at the layer's input scale."""
        if stimulus is None:
            return [self.fixed]
        fixed = self.fixed
        return [quantise_attention(self.spec, np.asarray(x, dtype=np.float64), fixed.model, fixed.x_shift)
                for x in stimulus]

    def emit(self, stimulus=None) -> BuildPlan:
        inputs = None if stimulus is None else [run.x_int for run in self._runs(stimulus)]
        return self.with_stream(emit_attention(self.spec, inputs, self.fixed))

    # -- the host stream port: the weights once, then per inference x_q in and the output spikes out ----
    def _out_shape(self) -> tuple[int, ...]:
        s = self.spec
        return (s.T, s.num_heads, s.tokens, s.head_dim)

    def stream_port(self) -> StreamPort:
        s, bits = self.spec, host_word_bits(self.spec)
        return StreamPort(native=ATTN_TOP, format=DENSE, in_bits=bits, native_in_bits=bits, out_bits=s.lanes,
                          out_port="out_spikes", burst=int(np.prod(self._out_shape())) // s.lanes, unit="inference",
                          out_fields=s.lanes,
                          load_words=3 * s.embed_dim ** 2, unit_words=s.tokens * s.embed_dim)

    def stream_test_stimulus(self) -> list[np.ndarray]:
        """Two inferences (the twin's input, then its tokens reversed): the second waits for the first's words."""
        return [self.fixed.x, self.fixed.x[::-1]]

    def stream_words(self, stimulus=None) -> tuple[list[int], list[list[int]]]:
        runs, load = self._runs(stimulus), 3 * self.spec.embed_dim ** 2
        return host_words(self.fixed, [])[:load], [host_words(run, [run.x_int])[load:] for run in runs]

    def twin_outputs(self, stimulus=None) -> list[np.ndarray]:
        """Per inference the output spikes [T, heads, tokens, head_dim]."""
        return [run_attention_core(*qkv_spikes(run), self.spec.output_threshold).spikes.astype(np.int64)
                for run in self._runs(stimulus)]

    def expected_stream_output(self, stimulus=None) -> list[list[int]]:
        """Per step, per (head, query, chunk), the chunk's lanes spikes."""
        return [lane_words(spikes, self.spec.lanes) for spikes in self.twin_outputs(stimulus)]

    def stream_outputs(self, words: list[int]) -> np.ndarray:
        return words_lanes(words, self.spec.lanes).reshape(self._out_shape())

    def expected_trace(self, stimulus=None) -> list[str]:
        return [line for run in self._runs(stimulus) for line in expected_attention_trace(run)]

    def needs(self, part: Ice40Device, pins: int) -> list[str]:
        return needs(self.spec, part, pins)

    def fold_advice(self, part: Ice40Device) -> str:
        """A part without SPRAM cannot hold the projections at any fold."""
        return self.no_fold_advice if part.spram else _NO_SPRAM_ADVICE

    def synthesise_parts(self, work_dir: Path, options) -> dict:
        """yosys on the layer with its module hierarchy kept (in `work_dir`/parts): the cells of each part
        of PARTS, as "attention_parts", and the attention core's alone as "attention_core_cells"."""
        work = Path(work_dir) / PARTS_DIR
        write_files(work, {name: (Path(work_dir) / name).read_text() for name in ATTN_SOURCES})
        modules = synthesise_modules(work, ATTN_TOP, ATTN_SOURCES, options.device, options.tools, options.timeout_s,
                                     inline=INLINE_MODULES)
        parts = {module: cells for module, cells in modules.items() if module in PARTS}
        return {"attention_parts": parts, "attention_core_cells": parts.get("attn_core", {})}
