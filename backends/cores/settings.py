"""What a block op from a NIR file does not carry: the fold, fixed-point widths, the testbench's length and,
for attention, the sequence length and input scale."""

from __future__ import annotations

from dataclasses import dataclass

from sc_neurocore.errors import InputError

__all__ = ["BlockSettings", "ATTENTION_TOKENS", "ATTENTION_INPUT_PEAK", "refuse_attention_settings"]

ATTENTION_TOKENS = 32  # the seed layer's sequence length
ATTENTION_INPUT_PEAK = 1.0  # inputs are rates in [0, 1], as the seed input
_ATTENTION_ONLY = {"tokens": "--tokens", "input_peak": "--input-peak"}


@dataclass(frozen=True)
class BlockSettings:
    """The fold, fixed-point widths, the testbench's stimulus length and, for attention, the sequence
    length and the input scale (None: ATTENTION_TOKENS and ATTENTION_INPUT_PEAK)."""

    lanes: int = 1
    weight_bits: int = 8
    state_bits: int = 16
    steps: int = 16  # time steps the SSM testbench replays
    tokens: int | None = None  # attention: tokens per inference
    input_peak: float | None = None  # attention: the largest |x| the host sends


def refuse_attention_settings(name: str, kind: str, settings: BlockSettings) -> None:
    """InputError when --tokens or --input-peak were given for an op that is not attention."""
    given = [flag for field, flag in _ATTENTION_ONLY.items() if getattr(settings, field) is not None]
    if given:
        raise InputError(f"{', '.join(given)} apply to spike-driven attention; node {name!r} is {kind}")
