"""What the spike-driven attention layer needs of an iCE40 part: IO pins, EBR, SPRAM and SB_MAC16."""

from __future__ import annotations

from sc_neurocore.sim.twins.seed_attention import attention_formats
from sc_neurocore.transformers.spec import AttentionSpec

from sc_neurocore.backends.cores.attention.design import top_level_io_bits
from sc_neurocore.backends.device import SPRAM_WORDS, Ice40Device, ebr_blocks, pin_and_ebr_shortfalls

__all__ = ["PROJECTION_DSP", "PROJECTION_SPRAM", "ebr_estimate", "spram_estimate", "needs"]

PROJECTION_DSP = 3  # attn_qkv: one multiply per clock for each of Q, K and V
PROJECTION_SPRAM = 4  # x and one per weight matrix


def ebr_estimate(spec: AttentionSpec) -> int:
    """Block RAMs of the layer: Q, K and |V| spike words of all T steps ({t, head * N + token} x DH, the
    token field rounded up to a power of two), V's signs (H*N x DH) and the output membranes
    (H*N*DH/L x L*AB)."""
    hn = spec.num_heads * spec.tokens
    spike_words = spec.T << max(1, (hn - 1).bit_length())
    membranes = ebr_blocks(hn * spec.head_dim // spec.lanes, spec.lanes * attention_formats(spec).ab)
    return 3 * ebr_blocks(spike_words, spec.head_dim) + ebr_blocks(hn, spec.head_dim) + membranes


def spram_estimate(spec: AttentionSpec) -> dict[str, int]:
    """16-bit words in each of the projection unit's SB_SPRAM256KA: one weight matrix per SPRAM, and
    x_q with each token's dimensions rounded up to a power of two."""
    return {
        "weights": spec.embed_dim ** 2,
        "input": spec.tokens << max(1, (spec.embed_dim - 1).bit_length()),
    }


def needs(spec: AttentionSpec, part: Ice40Device, pins: int) -> list[str]:
    """What the layer of `spec` lacks on `part` with `pins` usable IOs; empty if it fits."""
    problems = pin_and_ebr_shortfalls(top_level_io_bits(spec), ebr_estimate(spec), part, pins)
    if part.spram < PROJECTION_SPRAM:
        problems.append(f"{PROJECTION_SPRAM} SPRAM for the projection weights and input (has {part.spram})")
    if part.dsp < PROJECTION_DSP:
        problems.append(f"{PROJECTION_DSP} SB_MAC16 for the projections (has {part.dsp})")
    for what, words in spram_estimate(spec).items():
        if words > SPRAM_WORDS:
            problems.append(f"{words} SPRAM words for the {what} (an SPRAM holds {SPRAM_WORDS})")
    return problems
