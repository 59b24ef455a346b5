"""What the CPG encoder needs of an iCE40: block RAM for its phase and increment rows and the pins of its
streaming top."""

from __future__ import annotations

from sc_neurocore.transformers.spec import CpgSpec

from sc_neurocore.backends.cores.cpg.design import top_level_io_bits
from sc_neurocore.backends.device import Ice40Device, ebr_blocks, pin_and_ebr_shortfalls

__all__ = ["cpg_ebr_estimate", "cpg_needs"]


def cpg_ebr_estimate(spec: CpgSpec) -> int:
    """Block RAMs of the phase and increment memories (rows of `lanes` phases)."""
    return 2 * ebr_blocks(spec.d_model // 2 // spec.lanes, spec.phase_bits * spec.lanes)


def cpg_needs(spec: CpgSpec, part: Ice40Device, pins: int) -> list[str]:
    """What `spec`'s encoder lacks on `part` with `pins` usable IOs; empty if it fits."""
    return pin_and_ebr_shortfalls(top_level_io_bits(spec), cpg_ebr_estimate(spec), part, pins)
