"""The CPG-PE position encoder (hdl/cpg/cpg_encoder.sv) as a Core. It has no input data: its stimulus is the
number of positions the testbench encodes (default: the spec's `positions`)."""

from __future__ import annotations

from dataclasses import replace

from sc_neurocore.ir import blocks as ops
from sc_neurocore.sim.twins.cpg import cpg_spec_for
from sc_neurocore.transformers.spec import CPG_BLOCK, CpgSpec

from sc_neurocore.backends.build.plan import BuildPlan
from sc_neurocore.backends.cores.core import FoldedCore
from sc_neurocore.backends.cores.cpg.design import cycles_per_position, emit_cpg
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

    def __init__(self, spec: CpgSpec):
        self.spec = spec

    @classmethod
    def from_spec(cls, spec: CpgSpec) -> CpgCore:
        return cls(spec)

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
        return emit_cpg(self._spec(stimulus))

    def expected_trace(self, stimulus: int | None = None) -> list[str]:
        return expected_cpg_trace(self._spec(stimulus))

    def cosim_cycles(self, stimulus: int | None = None) -> int:
        """Activity-independent: every position takes `cycles_per_position` busy cycles."""
        spec = self._spec(stimulus)
        return spec.positions * cycles_per_position(spec)

    def needs(self, part: Ice40Device, pins: int) -> list[str]:
        return cpg_needs(self.spec, part, pins)
