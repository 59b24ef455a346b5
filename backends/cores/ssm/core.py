"""The spiky state-space layer (S4D-Real, hdl/ssm/ssm_layer.sv) as a Core: a YAML spec's seed layer or a NIR
op's own A, B and C, folded onto `lanes` lanes; its stimulus is the quantised input words [T, d_model]."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from sc_neurocore.ir import blocks as ops
from sc_neurocore.sim.twins.ssm import FixedSsm, quantise_ssm, run_fixed_ssm, ssm_spec_for
from sc_neurocore.transformers.spec import SSM_BLOCK, SsmSpec
from sc_neurocore.transformers.ssm import spiky_state_space

from sc_neurocore.backends.build.plan import BuildPlan
from sc_neurocore.backends.build.stream import DENSE, StreamPort, lane_words, words_lanes
from sc_neurocore.backends.cores.core import TwinFoldedCore
from sc_neurocore.backends.cores.settings import BlockSettings, refuse_attention_settings
from sc_neurocore.backends.cores.ssm.design import SSM_TOP, cycles_per_step, emit_ssm
from sc_neurocore.backends.cores.ssm.fit import ssm_needs
from sc_neurocore.backends.cores.ssm.trace import expected_ssm_trace
from sc_neurocore.backends.device import Ice40Device

__all__ = ["SsmCore"]


class SsmCore(TwinFoldedCore):
    """`spec`'s layer with the weights and formats of `fixed` (default: the spec's seed twin)."""

    kind = SSM_BLOCK
    title = "SSM layer"
    no_fold_advice = "no fold fits: use a smaller d_model or d_state, or fewer weight bits"
    op_kinds = (ops.SpikyStateSpaceOp.KIND,)

    spec: SsmSpec
    fixed: FixedSsm
    quantise = staticmethod(quantise_ssm)

    @classmethod
    def from_op(cls, name: str, op: ops.SpikyStateSpaceOp, settings: BlockSettings) -> SsmCore:
        """The op's own layer: `settings` give the fold, widths and the testbench's time steps."""
        refuse_attention_settings(name, op.KIND, settings)
        layer = spiky_state_space(op)
        spec = ssm_spec_for(layer, T=settings.steps, lanes=settings.lanes, weight_bits=settings.weight_bits,
                            state_bits=settings.state_bits)
        return cls(spec, quantise_ssm(spec, model=layer))

    @classmethod
    def example(cls) -> SsmCore:
        """d_model 8, d_state 16 over 6 steps on 2 lanes: the gate fires and goes negative."""
        return cls(SsmSpec(d_model=8, d_state=16, T=6, dt=0.1, threshold=0.25, lanes=2))

    def _twin(self, stimulus) -> FixedSsm:
        return self.fixed if stimulus is None else replace(self.fixed, x_int=np.asarray(stimulus, dtype=np.int64))

    def emit(self, stimulus=None) -> BuildPlan:
        return self.with_stream(emit_ssm(self.spec, self._twin(stimulus)))

    # -- the host stream port: per time step d_model input words in, d_model / lanes gate words out ----
    def stream_port(self) -> StreamPort:
        s = self.spec
        return StreamPort(native=SSM_TOP, format=DENSE, in_bits=s.in_bits, native_in_bits=s.in_bits,
                          out_bits=s.lanes, out_port="out_spikes", burst=s.d_model // s.lanes, unit="time step",
                          out_fields=s.lanes,
                          unit_words=s.d_model)

    def stream_words(self, stimulus=None) -> tuple[list[int], list[list[int]]]:
        mask = (1 << self.spec.in_bits) - 1
        return [], [[int(x) & mask for x in row] for row in self._twin(stimulus).x_int]

    def twin_outputs(self, stimulus=None) -> list[np.ndarray]:
        """Per time step the gate spikes [d_model]."""
        return list(run_fixed_ssm(self._twin(stimulus)).spikes.astype(np.int64))

    def expected_stream_output(self, stimulus=None) -> list[list[int]]:
        return [lane_words(spikes, self.spec.lanes) for spikes in self.twin_outputs(stimulus)]

    def stream_outputs(self, words: list[int]) -> np.ndarray:
        return words_lanes(words, self.spec.lanes)

    def expected_trace(self, stimulus=None) -> list[str]:
        return expected_ssm_trace(run_fixed_ssm(self._twin(stimulus)))

    def cosim_cycles(self, stimulus=None) -> int:
        """Activity-independent: every time step takes `cycles_per_step` busy cycles."""
        return self._twin(stimulus).x_int.shape[0] * cycles_per_step(self.spec)

    def needs(self, part: Ice40Device, pins: int) -> list[str]:
        return ssm_needs(self.spec, self.fixed.formats.v_bits, part, pins)
