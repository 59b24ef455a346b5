"""What the SSM layer needs of an iCE40: block RAM for its lane-packed memories, one SB_MAC16 per lane
(where the part has them) and the pins of its streaming top."""

from __future__ import annotations

from sc_neurocore.sim.twins.ssm import DECAY_BITS
from sc_neurocore.transformers.spec import SsmSpec

from sc_neurocore.backends.cores.ssm.design import top_level_io_bits
from sc_neurocore.backends.device import Ice40Device, ebr_blocks, pin_and_ebr_shortfalls

__all__ = ["ssm_ebr_estimate", "ssm_needs"]


def ssm_ebr_estimate(spec: SsmSpec, v_bits: int) -> int:
    """Block RAMs of the a, B, C, h and v memories (lane-packed words; x is small enough for logic);
    `v_bits` is the gate membrane's width (the twin's ``formats.v_bits``)."""
    lanes, rows_u, rows_r = spec.lanes, spec.d_state // spec.lanes, spec.d_model // spec.lanes
    return sum(ebr_blocks(depth, width * lanes) for depth, width in (
        (rows_u, DECAY_BITS), (rows_u * spec.d_model, spec.weight_bits), (rows_r * spec.d_state, spec.weight_bits),
        (rows_u, spec.state_bits), (rows_r, v_bits),
    ))


def ssm_needs(spec: SsmSpec, v_bits: int, part: Ice40Device, pins: int) -> list[str]:
    """What `spec`'s layer lacks on `part` with `pins` usable IOs ("12 EBR (has 8)"); empty if it fits."""
    problems = pin_and_ebr_shortfalls(top_level_io_bits(spec), ssm_ebr_estimate(spec, v_bits), part, pins)
    if part.dsp and spec.lanes > part.dsp:
        problems.append(f"{spec.lanes} SB_MAC16 multipliers (has {part.dsp})")
    return problems
