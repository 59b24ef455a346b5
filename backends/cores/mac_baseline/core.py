"""The MAC/softmax attention baseline as a core: what the spiking layer's cost is measured against.

The stimulus of `emit`, `expected_trace` and `cosimulate` is a list of input sets (q, k, v), each
[heads, tokens, head_dim] of signed 8-bit integers, run one after another; None is one seeded set.
:func:`cosimulate_netlist` runs the same testbench on the netlist yosys synthesises (the one the LUT
counts come from), on yosys's own iCE40 cell models.
"""

from __future__ import annotations

from pathlib import Path

from sc_neurocore.sim.twins.softmax_attention import seeded_qkv
from sc_neurocore.transformers.spec import AttentionSpec

from sc_neurocore.backends.build.build_dir import write_files
from sc_neurocore.backends.build.plan import BuildPlan
from sc_neurocore.backends.cores.core import FoldedCore
from sc_neurocore.backends.cores.mac_baseline.design import KIND, emit_mac_testbench, mac_cycles_per_step
from sc_neurocore.backends.cores.mac_baseline.trace import expected_mac_trace
from sc_neurocore.backends.cosim import ICE40_MODELS, CosimResult, ice40_cell_models, run_icarus
from sc_neurocore.backends.flow.synth import synthesise_netlist

__all__ = ["MacBaselineCore", "NETLIST", "cosimulate_netlist"]

NETLIST = "mac_netlist.v"


class MacBaselineCore(FoldedCore):
    """The baseline of the attention layer of `spec` (its heads, tokens, head dimension and fold)."""

    kind = KIND
    title = "MAC/softmax attention baseline"

    def __init__(self, spec: AttentionSpec):
        self.spec = spec

    @classmethod
    def from_spec(cls, spec: AttentionSpec) -> MacBaselineCore:
        return cls(spec)

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
        return emit_mac_testbench(self.spec, self._runs(stimulus))

    def expected_trace(self, stimulus=None) -> list[str]:
        return [line for qkv in self._runs(stimulus) for line in expected_mac_trace(*qkv)]



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
