"""Deploy a trained spiking transformer: integer twin, accuracy on a test split, the engine's iCE40 build.

``deploy_transformer(model, out_dir, options, test_set)`` quantises the model (``FixedTransformer``),
measures float and fixed-point accuracy on ``test_set`` (features in [0, 1], labels), checks that the
engine fits the device, then emits, places and routes it. The build report's manifest records the
accuracy beside the resources and the exact cycle count per inference.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sc_neurocore.errors import FitError, InputError
from sc_neurocore.sim.twins.quant import QuantSpec
from sc_neurocore.sim.twins.transformer import FixedTransformer
from sc_neurocore.training.accuracy import transformer_accuracy
from sc_neurocore.training.transformer import SpikingTransformer

from .build_dir import check_writable
from .deploy import build_plan, with_provenance
from .ice40 import DEVICES, Ice40Options, check_package_pins
from .reports import BuildReport
from .systemverilog import BuildPlan
from .ssm_deploy import ebr_blocks
from .transformer_systemverilog import (
    ACT_BITS, SPRAM_WORDS, TfmLayout, emit_transformer, top_level_io_bits, transformer_layout, weight_banks,
)

__all__ = ["BLOCK", "TransformerDeployResult", "engine_ebr", "engine_spram", "check_transformer_fit",
           "emit_engine", "deploy_transformer"]

BLOCK = "spiking_transformer"


def engine_ebr(layout: TfmLayout) -> int:
    """Block RAMs of the engine: biases and thresholds (16 bit), spike counts, key spikes (an upper bound:
    yosys drops ROM bit columns that are constant)."""
    return (ebr_blocks(len(layout.params), 16) + ebr_blocks(layout.act_words, ACT_BITS)
            + ebr_blocks(layout.key_words, 1))


def engine_spram(layout: TfmLayout) -> int:
    """SPRAMs of the engine: one for membranes, pixels and scores, then the weight banks."""
    return 1 + weight_banks(layout)


def check_transformer_fit(layout: TfmLayout, device: str = "up5k", package: str | None = None) -> None:
    """FitError naming what the engine needs that ``device`` lacks, before any tool runs."""
    part = DEVICES[device]
    check_package_pins(top_level_io_bits(layout), device, package)
    problems = []
    if engine_ebr(layout) > part.ebr:
        problems.append(f"{engine_ebr(layout)} EBR for {len(layout.params)} biases and thresholds and the spike "
                        f"tables (has {part.ebr})")
    if layout.spram_words > SPRAM_WORDS or engine_spram(layout) > part.spram:
        problems.append(f"{engine_spram(layout)} SPRAM for {len(layout.weights)} weights (two per word) and "
                        f"{layout.spram_words} membrane, input and score words (has {part.spram})")
    if problems:
        raise FitError(f"the transformer engine does not fit {device}: it needs {'; '.join(problems)}; "
                       "train a smaller model (examples/train_transformer.yaml: dim 96 fits a UP5K)")


def emit_engine(fixed: FixedTransformer, steps: int, accuracy: dict | None = None) -> BuildPlan:
    """The engine's design, its manifest naming the block, its shape and (when measured) its accuracy."""
    return emit_transformer(fixed, steps, manifest_extra={
        "block": BLOCK, "accuracy": accuracy,
        "spec": {"T": steps, "tokens": fixed.tokens, "token_dim": fixed.token_dim,
                 "dim": int(fixed.embed.weight.shape[0]), "heads": fixed.blocks[0].attention.heads,
                 "hidden": int(fixed.blocks[0].fc1.weight.shape[0]), "classes": int(fixed.head_weight.shape[0])},
    })


@dataclass(frozen=True)
class TransformerDeployResult:
    out_dir: Path
    report: BuildReport
    manifest: dict
    accuracy: dict | None


def deploy_transformer(model: SpikingTransformer, out_dir: Path, options: Ice40Options = Ice40Options(),
                       test_set: tuple[np.ndarray, np.ndarray] | None = None, *, steps: int = 4,
                       spec: QuantSpec = QuantSpec(), input_frac_bits: int = 4,
                       force: bool = False, provenance: dict | None = None) -> TransformerDeployResult:
    """Quantise ``model``, measure its accuracy on ``test_set``, then emit, place and route the engine."""
    if not isinstance(model, SpikingTransformer):
        raise InputError(f"deploy_transformer needs a SpikingTransformer, got {type(model).__name__}")
    if steps < 1:
        raise InputError(f"steps must be at least 1, got {steps}")
    out_dir = Path(out_dir)
    check_writable(out_dir, force)
    started = time.perf_counter()
    fixed = FixedTransformer.from_model(model, spec, input_frac_bits)
    check_transformer_fit(transformer_layout(fixed), options.device, options.package)
    accuracy = None if test_set is None else transformer_accuracy(model, fixed, steps, test_set)
    plan = with_provenance(emit_engine(fixed, steps, accuracy), provenance)
    report = build_plan(plan, out_dir, options, time.perf_counter() - started)
    return TransformerDeployResult(out_dir, report, plan.manifest, accuracy)
