"""What an attention-variant core needs of an iCE40 part (IO pins, EBR), and its exact throughput."""

from __future__ import annotations

from sc_neurocore.sim.twins.attention_variants import VariantFormats, VariantSpec

from sc_neurocore.backends.device import ebr_blocks

__all__ = ["kv_layer_ebr", "channel_ebr", "throughput"]


def kv_layer_ebr(spec: VariantSpec, f: VariantFormats, spike_words: int) -> int:
    """SSA / A²OS²A: `spike_words` binary word memories (Q, V+, and V- for ternary V; H*N x DH), K
    (binary: H*N x DH words, else H*N*DH x KB), one head's K^T V (DH*C x L*KVB), membranes (H*N*C x L*AB)."""
    lanes, chunks, membrane = spec.lanes, spec.chunks, spec.lanes * f.ab
    tokens, dims = spec.heads * spec.tokens, spec.head_dim
    keys = ebr_blocks(tokens, dims) if f.kb == 1 else ebr_blocks(tokens * dims, f.kb)
    return (spike_words * ebr_blocks(tokens, dims) + keys
            + ebr_blocks(dims * chunks, lanes * f.kvb) + ebr_blocks(tokens * chunks, membrane))


def channel_ebr(spec: VariantSpec, f: VariantFormats) -> int:
    """SDSA: Q, K, V chunks (N*C x L), membranes (C x L*AB)."""
    return 3 * ebr_blocks(spec.tokens * spec.chunks, spec.lanes) + ebr_blocks(spec.chunks, spec.lanes * f.ab)


def throughput(host_words: int, core_cycles: int, fmax_mhz: float | None) -> dict:
    """Clocks per time step at the host port (words in, start, core busy) and time steps per second at
    `fmax_mhz`: the schedule does not depend on the spikes, so the figures are exact."""
    cycles = host_words + 1 + core_cycles
    return {
        "fmax_mhz": fmax_mhz,
        "host_words_per_step": host_words,
        "core_cycles_per_step": core_cycles,
        "cycles_per_step": cycles,
        "steps_per_second": fmax_mhz * 1e6 / cycles if fmax_mhz else None,
    }
