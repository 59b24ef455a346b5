"""The SSM layer's co-simulation trace as its fixed twin predicts it."""

from __future__ import annotations

from sc_neurocore.sim.twins.ssm import SsmRun

__all__ = ["expected_ssm_trace"]


def expected_ssm_trace(run: SsmRun) -> list[str]:
    """Every state and gate update of the fixed twin, in the testbench's order and format."""
    lines = []
    for t in range(run.h.shape[0]):
        lines += [f"H {t} {n} {int(h)}" for n, h in enumerate(run.h[t])]
        lines += [f"V {t} {m} {int(v)} {int(s)}" for m, (v, s) in enumerate(zip(run.v[t], run.spikes[t]))]
    return lines
