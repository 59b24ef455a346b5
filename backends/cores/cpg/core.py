"""The CPG-PE position encoder (hdl/cpg/cpg_encoder.sv) as a Core. It has no input data: its stimulus is the
number of positions the testbench encodes (default: the spec's `positions`)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from sc_neurocore.ir import blocks as ops
from sc_neurocore.sim.twins.cpg import cpg_spec_for, run_fixed_cpg
from sc_neurocore.transformers.spec import CPG_BLOCK, CpgSpec

from sc_neurocore.backends.build.plan import BuildPlan
from sc_neurocore.backends.build.stream import DENSE, StreamPort, lane_words, words_lanes
from sc_neurocore.backends.cores.core import FoldedCore
from sc_neurocore.backends.cores.cpg.design import CPG_TOP, cycles_per_position, emit_cpg
from sc_neurocore.backends.cores.cpg.fit import cpg_needs
from sc_neurocore.backends.cores.cpg.trace import expected_cpg_trace
from sc_neurocore.backends.cores.settings import BlockSettings, refuse_attention_settings
from sc_neurocore.backends.device import Ice40Device

__all__ = ["CpgCore"]


class CpgCore(FoldedCore):
    """The encoder of `spec` (CPG-PE has no free arrays: the spec is the whole encoder)."""

    kind = CPG_BLOCK
    title = "CPG encoder"
    no_fold_advice = "no fold fits: use a smaller d_model"
    op_kinds = (ops.CPGEncoderOp.KIND,)

    spec: CpgSpec

    @classmethod
    def from_op(cls, name: str, op: ops.CPGEncoderOp, settings: BlockSettings) -> CpgCore:
        """The op's own code over all its ``max_len`` positions, folded onto ``settings.lanes``."""
        refuse_attention_settings(name, op.KIND, settings)
        return cls(cpg_spec_for(op, lanes=settings.lanes))

    @classmethod
    def example(cls) -> CpgCore:
        """d_model 64 over 20 positions on 4 lanes."""
        return cls(CpgSpec(positions=20, lanes=4))

    def _spec(self, positions: int | None) -> CpgSpec:
        return self.spec if positions is None else replace(self.spec, positions=int(positions))

    def emit(self, stimulus: int | None = None) -> BuildPlan:
        return self.with_stream(emit_cpg(self._spec(stimulus)))

    # -- the host stream port: one (ignored) word per position in, its sin/cos spikes out --------------
    def stream_port(self) -> StreamPort:
        """The native top has no input data: each word is one position (IN_BITS 1, its bit ignored);
        an output word holds 2 x lanes spikes, sin and cos of each lane's phase."""
        s = self.spec
        return StreamPort(native=CPG_TOP, format=DENSE, in_bits=1, native_in_bits=0, out_bits=2 * s.lanes,
                          out_port="out_spikes", burst=s.d_model // 2 // s.lanes, unit="position", unit_words=1,
                          out_fields=2 * s.lanes)

    def stream_words(self, stimulus: int | None = None) -> tuple[list[int], list[list[int]]]:
        return [], [[0] for _ in range(self._spec(stimulus).positions)]

    def twin_outputs(self, stimulus: int | None = None) -> list[np.ndarray]:
        """Per position its d_model spikes (sin and cos of each phase, interleaved)."""
        return list(run_fixed_cpg(self._spec(stimulus))[1].astype(np.int64))

    def expected_stream_output(self, stimulus: int | None = None) -> list[list[int]]:
        return [lane_words(spikes, 2 * self.spec.lanes) for spikes in self.twin_outputs(stimulus)]

    def stream_outputs(self, words: list[int]) -> np.ndarray:
        return words_lanes(words, 2 * self.spec.lanes)

    def expected_trace(self, stimulus: int | None = None) -> list[str]:
        return expected_cpg_trace(self._spec(stimulus))

    def cosim_cycles(self, stimulus: int | None = None) -> int:
        """Activity-independent: every position takes `cycles_per_position` busy cycles."""
        spec = self._spec(stimulus)
        return spec.positions * cycles_per_position(spec)

    def needs(self, part: Ice40Device, pins: int) -> list[str]:
        return cpg_needs(self.spec, part, pins)
