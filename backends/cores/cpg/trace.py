"""The CPG encoder's co-simulation trace as its fixed twin predicts it."""

from __future__ import annotations

from sc_neurocore.sim.twins.cpg import run_fixed_cpg
from sc_neurocore.transformers.spec import CpgSpec

__all__ = ["expected_cpg_trace"]


def expected_cpg_trace(spec: CpgSpec) -> list[str]:
    """Every phase and its two spikes, in the testbench's order and format."""
    phases, spikes = run_fixed_cpg(spec)
    return [f"P {p} {i} {int(phases[p, i])} {int(spikes[p, 2 * i])} {int(spikes[p, 2 * i + 1])}"
            for p in range(spec.positions) for i in range(spec.d_model // 2)]
