"""Hardware for a NIR file that holds a block op, built from the op's own parameters (not re-seeded).

A block graph (:func:`sc_neurocore.block_simulation.block_graph`) that is exactly ``input -> op ->
output`` becomes that op's hardware: :func:`block_hardware` looks the op's kind up in ``HARDWARE``
and returns its spec, the integer twin its memory images come from, and how to emit, deploy and
co-simulate it. Wiring another kind is one entry in ``HARDWARE`` (a graph-level model such as the
trained transformer: one entry in ``MODEL_HARDWARE``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from sc_neurocore.errors import InputError, UnsupportedError
from sc_neurocore.ir import blocks as ops
from sc_neurocore.ir import nodes as ir
from sc_neurocore.training.export import transformer_from_graph
from sc_neurocore.sim.twins.transformer import FixedTransformer
from sc_neurocore.sim.twins.quant import QuantSpec
from sc_neurocore.sim.twins.seed_attention import attention_spec_for, input_shift, quantise_attention
from sc_neurocore.sim.twins.cpg import cpg_spec_for
from sc_neurocore.sim.twins.ssm import quantise_ssm, ssm_spec_for

from .attention_cosim import cosimulate_attention
from .attention_deploy import AttentionDeployResult, deploy_attention
from .attention_systemverilog import emit_attention
from .build_dir import check_writable, fresh_partial, promote, write_files
from .cosim import CosimResult
from .cpg_cosim import cosimulate_cpg
from .cpg_deploy import deploy_cpg
from .cpg_systemverilog import emit_cpg
from .deploy import BlockDeployResult, CompileResult, with_provenance
from .ice40 import Ice40Options
from .ssm_cosim import cosimulate_ssm
from .ssm_deploy import deploy_ssm
from .ssm_systemverilog import emit_ssm
from .systemverilog import BuildPlan
from .transformer_cosim import cosimulate_transformer
from .transformer_deploy import BLOCK, deploy_transformer, emit_engine

__all__ = ["BlockSettings", "BlockHardware", "HARDWARE", "MODEL_HARDWARE", "ATTENTION_TOKENS", "ATTENTION_INPUT_PEAK",
           "single_block_op", "block_hardware", "compile_block", "deploy_block"]


@dataclass(frozen=True)
class BlockSettings:
    """What the op does not carry: the fold, fixed-point widths, the testbench's stimulus length and,
    for attention, the sequence length and the input scale (None: the attention defaults below)."""

    lanes: int = 1
    weight_bits: int = 8
    state_bits: int = 16
    steps: int = 16  # time steps the SSM testbench replays
    tokens: int | None = None  # attention: tokens per inference (default ATTENTION_TOKENS)
    input_peak: float | None = None  # attention: the largest |x| the host sends (default ATTENTION_INPUT_PEAK)


ATTENTION_TOKENS = 32  # the seed layer's sequence length
ATTENTION_INPUT_PEAK = 1.0  # inputs are rates in [0, 1], as the seed input
_ATTENTION_ONLY = {"tokens": "--tokens", "input_peak": "--input-peak"}


def _refuse_attention_settings(name: str, kind: str, settings: BlockSettings) -> None:
    given = [flag for field, flag in _ATTENTION_ONLY.items() if getattr(settings, field) is not None]
    if given:
        raise InputError(f"{', '.join(given)} apply to spike-driven attention; node {name!r} is {kind}")


@dataclass(frozen=True)
class BlockHardware:
    """One op's hardware: its spec, the integer twin (None where the spec is the whole op) and the
    actions on it, all built from the same op."""

    name: str
    kind: str
    spec: object
    twin: object
    emit: Callable[[], BuildPlan]
    deploy: Callable[..., BlockDeployResult | AttentionDeployResult]  # (out_dir, options, force, provenance)
    cosimulate: Callable[[Path], CosimResult]


def _ssm(name: str, block: ops.SpikyStateSpaceOp, settings: BlockSettings) -> BlockHardware:
    _refuse_attention_settings(name, block.KIND, settings)
    spec = ssm_spec_for(block.op, T=settings.steps, lanes=settings.lanes, weight_bits=settings.weight_bits,
                        state_bits=settings.state_bits)
    fixed = quantise_ssm(spec, model=block.op)
    return BlockHardware(
        name, block.KIND, spec, fixed, emit=lambda: emit_ssm(spec, fixed),
        deploy=lambda out_dir, options, force, provenance: deploy_ssm(spec, out_dir, options, force, fixed, provenance),
        cosimulate=lambda work_dir: cosimulate_ssm(spec, work_dir, fixed),
    )


def _cpg(name: str, block: ops.CPGEncoderOp, settings: BlockSettings) -> BlockHardware:
    _refuse_attention_settings(name, block.KIND, settings)
    spec = cpg_spec_for(block.op, lanes=settings.lanes)
    return BlockHardware(
        name, block.KIND, spec, None, emit=lambda: emit_cpg(spec),
        deploy=lambda out_dir, options, force, provenance: deploy_cpg(spec, out_dir, options, force, provenance),
        cosimulate=lambda work_dir: cosimulate_cpg(spec, work_dir),
    )


def _attention(name: str, block: ops.SpikeDrivenAttentionOp, settings: BlockSettings) -> BlockHardware:
    """The seed attention layer with the op's W_q, W_k, W_v; its thresholds follow the input scale
    that holds `input_peak` (the manifest's ``input_scale_shift``), the testbench replays seed rates."""
    tokens = ATTENTION_TOKENS if settings.tokens is None else settings.tokens
    peak = ATTENTION_INPUT_PEAK if settings.input_peak is None else settings.input_peak
    spec = attention_spec_for(block.op, tokens=tokens, lanes=settings.lanes, weight_bits=settings.weight_bits)
    fixed = quantise_attention(spec, model=block.op, x_shift=input_shift(spec, peak))
    return BlockHardware(
        name, block.KIND, spec, fixed, emit=lambda: emit_attention(spec, fixed=fixed),
        deploy=lambda out_dir, options, force, provenance: deploy_attention(spec, out_dir, options, force, fixed,
                                                                            provenance),
        cosimulate=lambda work_dir: cosimulate_attention(spec, work_dir, fixed=fixed),
    )


def _not_wired(advice: str):
    def refuse(name: str, block: ops.BlockOp, settings: BlockSettings) -> BlockHardware:
        raise UnsupportedError(f"node {name!r}: hardware for {block.KIND} from a NIR file is not wired yet; {advice}")

    return refuse


_YAML = "deploy its YAML spec (docs/attention_hw.md)"
_TRAINED = "it is part of the trained spiking transformer, deployed as a whole"

# op kind -> builder(name, op, settings)
HARDWARE: dict[str, Callable[[str, ops.BlockOp, BlockSettings], BlockHardware]] = {
    ops.SpikyStateSpaceOp.KIND: _ssm,
    ops.CPGEncoderOp.KIND: _cpg,
    ops.SpikeDrivenAttentionOp.KIND: _attention,
    ops.SpikformerSSAOp.KIND: _not_wired(_YAML),
    ops.SpikeDrivenSelfAttentionOp.KIND: _not_wired(_YAML),
    ops.AdditionOnlyAttentionOp.KIND: _not_wired(_YAML),
    ops.TrainedAttentionOp.KIND: _not_wired(_TRAINED),
    ops.TrainedChannelAttentionOp.KIND: _not_wired(_TRAINED),
    ops.TrainedAdditionAttentionOp.KIND: _not_wired(_TRAINED),
    ops.TrainedPositionOp.KIND: _not_wired(_TRAINED),
    ops.TokenReadoutOp.KIND: _not_wired(_TRAINED),
}


TRANSFORMER_COSIM_SAMPLES = 2  # seeded images the engine's testbench classifies


def _transformer(graph, settings: BlockSettings) -> BlockHardware:
    """`sc-neurocore train`'s transformer on the token-wise engine, for the time steps it was trained with."""
    _refuse_attention_settings("model", BLOCK, settings)
    if settings.lanes != 1:
        raise InputError(f"--lanes {settings.lanes}: the transformer engine has one datapath (lanes 1)")
    model = transformer_from_graph(graph)
    steps = int(graph.metadata.get("steps", 4))
    spec = QuantSpec(weight_bits=settings.weight_bits, state_bits=settings.state_bits)
    fixed = FixedTransformer.from_model(model, spec)
    images = np.random.default_rng(0).random((TRANSFORMER_COSIM_SAMPLES, model.n_tokens * model.token_dim))
    return BlockHardware(
        "model", BLOCK, spec, fixed, emit=lambda: emit_engine(fixed, steps),
        deploy=lambda out_dir, options, force, provenance: deploy_transformer(
            model, out_dir, options, steps=steps, spec=spec, force=force, provenance=provenance),
        cosimulate=lambda work_dir: cosimulate_transformer(fixed, steps, images, work_dir),
    )


# graph metadata "sc_neurocore_model" -> builder(graph, settings), for models of several ops
MODEL_HARDWARE: dict[str, Callable[..., BlockHardware]] = {
    "spiking_transformer": _transformer,
}


def single_block_op(graph) -> tuple[str, ops.BlockOp]:
    """``(name, op)`` of a graph that is exactly input -> op -> output; UnsupportedError naming the
    ops (or the extra nodes) otherwise."""
    blocks = graph.of_type(ops.BlockOp)
    if len(blocks) != 1:
        listed = ", ".join(f"{name} ({graph.nodes[name].KIND})" for name in blocks)
        raise UnsupportedError(f"the graph holds {len(blocks)} block ops ({listed}); compile and deploy build one "
                               f"op per file: write each op to its own NIR file")
    (name,) = blocks
    others = [n for n, node in graph.nodes.items() if n != name and not isinstance(node, (ir.Input, ir.Output))]
    if others:
        listed = ", ".join(f"{n} ({type(graph.nodes[n]).__name__})" for n in others)
        raise UnsupportedError(f"nodes {listed} sit outside block op {name!r}; block hardware is built for "
                               f"a graph that is input -> op -> output")
    return name, graph.nodes[name]


def block_hardware(graph, settings: BlockSettings = BlockSettings()) -> BlockHardware:
    """The hardware of a block graph, from its op's own parameters."""
    model = graph.metadata.get("sc_neurocore_model")
    if model in MODEL_HARDWARE:
        return MODEL_HARDWARE[model](graph, settings)
    name, block = single_block_op(graph)
    return HARDWARE[block.KIND](name, block, settings)


def compile_block(hardware: BlockHardware, out_dir: Path, force: bool = False,
                  provenance: dict | None = None) -> CompileResult:
    """Write the op's design, memory images, testbench and manifest into `out_dir` (no tools run)."""
    out_dir = Path(out_dir)
    check_writable(out_dir, force)
    plan = with_provenance(hardware.emit(), provenance)
    partial = fresh_partial(out_dir)
    write_files(partial, plan.files)
    promote(partial, out_dir)
    return CompileResult(out_dir, plan)


def deploy_block(hardware: BlockHardware, out_dir: Path, options: Ice40Options = Ice40Options(), force: bool = False,
                 provenance: dict | None = None) -> BlockDeployResult | AttentionDeployResult:
    """Fit checks, then place and route the op's design on the iCE40 of `options`."""
    return hardware.deploy(Path(out_dir), options, force, provenance)
