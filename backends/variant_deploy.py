"""Deploy an attention-variant spec (Spikformer SSA, SDSA, A²OS²A core): fit checks, then the core's
iCE40 build behind its narrow host port, with cycles per time step and time steps per second at the
Fmax nextpnr reached recorded in the build report."""

from __future__ import annotations

import time
from pathlib import Path

from sc_neurocore.sim.twins.attention_variants import variant_formats
from sc_neurocore.transformers.spec import VariantSpec

from .attention_variants import (
    cycles_per_step, default_stimulus, emit_variant, stream_cycles_per_step, top_level_io_bits, words_per_step,
)
from .build_dir import check_writable
from .deploy import BlockDeployResult, build_plan, check_fold_fit
from .ice40 import DEVICES, Ice40Options
from .ssm_deploy import ebr_blocks

__all__ = ["variant_ebr_estimate", "check_variant_fit", "variant_throughput", "deploy_variant"]

_NAMES = {"ssa": "SSA attention core", "sdsa": "SDSA attention core", "a2os2a": "A²OS²A attention core"}


def variant_ebr_estimate(spec: VariantSpec, theta: int) -> int:
    """Block RAMs of the core's memories, `theta` the LIF threshold in membrane units (it sizes the
    membranes). SSA / A²OS²A: Q, V+ (and V-) words (H*N x DH), K (binary: H*N x DH words, else H*N*DH x
    KB), one head's K^T V (DH*C x L*KVB), membranes (H*N*C x L*AB). SDSA: Q, K, V chunks (N*C x L),
    membranes (C x L*AB).
    An upper bound: yosys keeps a memory of a few words in flip-flops, and drops the membrane's low
    fraction bits when no spike depends on them (a threshold that is a multiple of 2^F)."""
    f = variant_formats(spec, theta)
    lanes, chunks, membrane = spec.lanes, spec.chunks, spec.lanes * f.ab
    if spec.variant == "sdsa":
        return 3 * ebr_blocks(spec.tokens * chunks, lanes) + ebr_blocks(chunks, membrane)
    tokens, dims = spec.heads * spec.tokens, spec.head_dim
    spike_words = 3 if spec.variant == "a2os2a" else 2
    keys = ebr_blocks(tokens, dims) if f.kb == 1 else ebr_blocks(tokens * dims, f.kb)
    return (spike_words * ebr_blocks(tokens, dims) + keys
            + ebr_blocks(dims * chunks, lanes * f.kvb) + ebr_blocks(tokens * chunks, membrane))


def _needs(theta: int):
    def needs(spec: VariantSpec, device: str, pins: int) -> list[str]:
        problems = []
        if top_level_io_bits(spec) > pins:
            problems.append(f"{top_level_io_bits(spec)} IO pins (has {pins})")
        ebr, available = variant_ebr_estimate(spec, theta), DEVICES[device].ebr
        if ebr > available:
            problems.append(f"{ebr} EBR (has {available})")
        return problems
    return needs


def check_variant_fit(spec: VariantSpec, theta: int, device: str = "up5k", package: str | None = None) -> None:
    """FitError, naming what the core needs (IO pins, EBR) and which folds would fit, before any tool runs."""
    check_fold_fit(_NAMES[spec.variant], spec, _needs(theta), device, package,
                   "no fold fits: use fewer tokens, a smaller embedding or fewer heads")


def variant_throughput(spec: VariantSpec, fmax_mhz: float | None) -> dict:
    """Clocks per time step at the host port (words in, start, core busy) and time steps per second at
    `fmax_mhz`: the schedule does not depend on the spikes, so the figures are exact."""
    cycles = stream_cycles_per_step(spec)
    return {
        "fmax_mhz": fmax_mhz,
        "host_words_per_step": words_per_step(spec),
        "core_cycles_per_step": cycles_per_step(spec),
        "cycles_per_step": cycles,
        "steps_per_second": fmax_mhz * 1e6 / cycles if fmax_mhz else None,
    }


def deploy_variant(
    spec: VariantSpec, out_dir: Path, options: Ice40Options = Ice40Options(), force: bool = False,
) -> BlockDeployResult:
    """Emit, place and route the core of `spec` into `out_dir` (its testbench replays the float model's
    own Q/K/V); the build report gets a ``throughput`` entry from the achieved Fmax."""
    out_dir = Path(out_dir)
    check_writable(out_dir, force)
    started = time.perf_counter()
    stimulus = default_stimulus(spec)
    check_variant_fit(spec, stimulus.theta, options.device, options.package)
    plan = emit_variant(spec, stimulus)

    def throughput(report) -> dict:
        achieved = min((fmax for fmax, _ in report.fmax_mhz.values()), default=None)
        return {"throughput": variant_throughput(spec, achieved)}

    report = build_plan(plan, out_dir, options, time.perf_counter() - started, after_flow=throughput)
    return BlockDeployResult(out_dir, report, plan.manifest)
