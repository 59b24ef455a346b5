"""What the transformer engine needs of an iCE40: EBR for its biases, thresholds and spike tables, SPRAM for
membranes, pixels and scores plus the weight banks, and the pins of its streaming top."""

from __future__ import annotations

from sc_neurocore.errors import FitError

from sc_neurocore.backends.cores.transformer.design import ACT_BITS, TfmLayout, top_level_io_bits, weight_banks
from sc_neurocore.backends.device import SPRAM_WORDS, Ice40Device, check_package_pins, device, ebr_blocks

__all__ = ["engine_ebr", "engine_spram", "engine_needs", "check_engine_fit"]

_ADVICE = "train a smaller model (examples/train_transformer.yaml: dim 96 fits a UP5K)"


def engine_ebr(layout: TfmLayout) -> int:
    """Block RAMs of the engine: biases and thresholds (16 bit), spike counts, key spikes (an upper bound:
    yosys drops ROM bit columns that are constant)."""
    return (ebr_blocks(len(layout.params), 16) + ebr_blocks(layout.act_words, ACT_BITS)
            + ebr_blocks(layout.key_words, 1))


def engine_spram(layout: TfmLayout) -> int:
    """SPRAMs of the engine: one for membranes, pixels and scores, then the weight banks."""
    return 1 + weight_banks(layout)


def engine_needs(layout: TfmLayout, part: Ice40Device) -> list[str]:
    """The block and single-port RAM the engine lacks on `part`; empty if its memories fit."""
    problems = []
    if engine_ebr(layout) > part.ebr:
        problems.append(f"{engine_ebr(layout)} EBR for {len(layout.params)} biases and thresholds and the spike "
                        f"tables (has {part.ebr})")
    if layout.spram_words > SPRAM_WORDS or engine_spram(layout) > part.spram:
        problems.append(f"{engine_spram(layout)} SPRAM for {len(layout.weights)} weights (two per word) and "
                        f"{layout.spram_words} membrane, input and score words (has {part.spram})")
    return problems


def check_engine_fit(layout: TfmLayout, device_name: str = "up5k", package: str | None = None) -> None:
    """FitError naming what the engine needs that the device lacks (its pins first), before any tool runs."""
    check_package_pins(top_level_io_bits(layout), device_name, package)
    problems = engine_needs(layout, device(device_name))
    if problems:
        raise FitError(f"the transformer engine does not fit {device_name}: it needs {'; '.join(problems)}; {_ADVICE}")
