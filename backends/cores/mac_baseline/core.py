"""The MAC/softmax attention baseline as a core: what the spiking layer's cost is measured against.

The stimulus of `emit`, `expected_trace` and `cosimulate` is a list of input sets (q, k, v), each
[heads, tokens, head_dim] of signed 8-bit integers, run one after another; None is one seeded set.
:func:`cosimulate_netlist` runs the same testbench on the netlist yosys synthesises (the one the LUT
counts come from), on yosys's own iCE40 cell models.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sc_neurocore.sim.twins.softmax_attention import mac_softmax_attention, seeded_qkv
from sc_neurocore.transformers.spec import AttentionSpec

from sc_neurocore.backends.build.build_dir import write_files
from sc_neurocore.backends.build.plan import BuildPlan
from sc_neurocore.backends.build.stream import DENSE, StreamPort, pack_words, unpack_words
from sc_neurocore.backends.cores.core import FoldedCore
from sc_neurocore.backends.cores.mac_baseline.design import (
    KIND, MAC_TOP, emit_mac_testbench, mac_cycles_per_step, output_bits,
)
from sc_neurocore.backends.cores.mac_baseline.trace import expected_mac_trace
from sc_neurocore.backends.cosim import ICE40_MODELS, CosimResult, ice40_cell_models, run_icarus
from sc_neurocore.backends.flow.synth import synthesise_netlist

__all__ = ["MacBaselineCore", "NETLIST", "cosimulate_netlist"]

NETLIST = "mac_netlist.v"


class MacBaselineCore(FoldedCore):
    """The baseline of the attention layer of `spec` (its heads, tokens, head dimension and fold)."""

    kind = KIND
    title = "MAC/softmax attention baseline"

    spec: AttentionSpec

    @classmethod
    def example(cls) -> MacBaselineCore:
        """16 dims, 2 heads, 6 tokens on 2 lanes."""
        return cls(AttentionSpec(embed_dim=16, num_heads=2, tokens=6, lanes=2))

    def cosim_cycles(self, stimulus=None) -> int:
        """Activity-independent: every input set takes `mac_cycles_per_step` busy clocks."""
        runs = 1 if stimulus is None else len(stimulus)
        return runs * mac_cycles_per_step(self.spec)

    def _runs(self, stimulus):
        spec = self.spec
        return [seeded_qkv(spec.num_heads, spec.tokens, spec.head_dim)] if stimulus is None else list(stimulus)

    def emit(self, stimulus=None) -> BuildPlan:
        return self.with_stream(emit_mac_testbench(self.spec, self._runs(stimulus)))

    def expected_trace(self, stimulus=None) -> list[str]:
        return [line for qkv in self._runs(stimulus) for line in expected_mac_trace(*qkv)]

    # -- the host stream port: per input set its Q, K, V words in (through the write port), Y words out --
    # A resource baseline, not a host-facing model; the port is cheap (a word counter drives the write
    # port), so it has one like every core.
    @property
    def _words(self) -> int:
        s = self.spec
        return s.num_heads * s.tokens * s.head_dim // s.lanes

    def stream_port(self) -> StreamPort:
        s = self.spec
        return StreamPort(native=MAC_TOP, format=DENSE, in_bits=8 * s.lanes, native_in_bits=8 * s.lanes,
                          out_bits=output_bits(s) * s.lanes, out_port="y_data", burst=self._words,
                          out_fields=s.lanes, out_signed=True,
                          unit="inference", unit_words=3 * self._words, write_sections=3, write_words=self._words)

    def stream_words(self, stimulus=None) -> tuple[list[int], list[list[int]]]:
        """Per input set Q, K then V, each as words of `lanes` 8-bit values (lane l in bits 8l..8l+7)."""
        lanes = self.spec.lanes
        return [], [[pack_words(row, 8) for operand in qkv for row in np.asarray(operand).reshape(-1, lanes)]
                    for qkv in self._runs(stimulus)]

    def twin_outputs(self, stimulus=None) -> list[np.ndarray]:
        """Per input set the outputs [heads, tokens, head_dim]."""
        return [np.asarray(mac_softmax_attention(*qkv), dtype=np.int64) for qkv in self._runs(stimulus)]

    def expected_stream_output(self, stimulus=None) -> list[list[int]]:
        ob, lanes = output_bits(self.spec), self.spec.lanes
        return [[pack_words(row, ob) for row in y.reshape(-1, lanes)] for y in self.twin_outputs(stimulus)]

    def stream_outputs(self, words: list[int]) -> np.ndarray:
        s = self.spec
        values = [v for w in words for v in unpack_words(w, s.lanes, output_bits(s), signed=True)]
        return np.array(values, dtype=np.int64).reshape(s.num_heads, s.tokens, s.head_dim)



def cosimulate_netlist(core: MacBaselineCore, work_dir: Path, stimulus=None, device: str = "up5k",
                       tools: str = "auto", timeout_s: float = 600) -> CosimResult:
    """`cosimulate` on the core as yosys synthesises it for `device` (multiplies in SB_MAC16 on a UP5K, in
    LUTs on an HX8K), run on yosys's own iCE40 cell models."""
    work_dir = Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    plan = core.emit(stimulus)
    write_files(work_dir, {**plan.files, ICE40_MODELS: ice40_cell_models()})
    synthesise_netlist(work_dir, plan.top, plan.sources, NETLIST, device, tools, timeout_s)
    rtl, cycles = run_icarus(work_dir, (NETLIST, ICE40_MODELS), timeout_s)
    return CosimResult(tuple(rtl), tuple(core.expected_trace(stimulus)), cycles)
