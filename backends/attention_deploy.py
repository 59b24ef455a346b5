"""Deploy a spike-driven attention spec: fit checks, the layer's iCE40 build, the cost of each part.

yosys flattens the layer for place and route, so what each part costs (attention core, projections
with their Q/K/V neurons, output neurons) comes from a second, synthesis-only run that keeps the
module hierarchy (`synth_ice40 -noflatten`, `stat` per module).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from sc_neurocore.transformers.fixed_attention import FixedAttention, attention_formats
from sc_neurocore.transformers.spec import AttentionSpec, CpgSpec, SsmSpec, VariantSpec

from .attention_systemverilog import ATTN_SOURCES, ATTN_TOP, PARTS, SPRAM_WORDS, emit_attention, top_level_io_bits
from .build_dir import check_writable, write_files
from .cpg_deploy import deploy_cpg
from .deploy import BlockDeployResult, build_plan, check_fold_fit, with_provenance
from .ice40 import DEVICES, Ice40Options, yosys_script
from .reports import BuildReport
from .ssm_deploy import deploy_ssm, ebr_blocks
from .toolrun import run_tool
from .tools import find_toolchain
from .variant_deploy import deploy_variant

__all__ = [
    "AttentionDeployResult", "ebr_estimate", "spram_estimate", "check_attention_fit", "synthesise_core",
    "synthesise_parts", "deploy_attention",
]

BUILD_REPORT = "build_report.json"
PARTS_DIR = "parts"
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


def _needs(spec: AttentionSpec, device: str, pins: int) -> list[str]:
    part = DEVICES[device]
    problems = []
    if top_level_io_bits(spec) > pins:
        problems.append(f"{top_level_io_bits(spec)} IO pins (has {pins})")
    if ebr_estimate(spec) > part.ebr:
        problems.append(f"{ebr_estimate(spec)} EBR (has {part.ebr})")
    if part.spram < PROJECTION_SPRAM:
        problems.append(f"{PROJECTION_SPRAM} SPRAM for the projection weights and input (has {part.spram})")
    if part.dsp < PROJECTION_DSP:
        problems.append(f"{PROJECTION_DSP} SB_MAC16 for the projections (has {part.dsp})")
    for what, words in spram_estimate(spec).items():
        if words > SPRAM_WORDS:
            problems.append(f"{words} SPRAM words for the {what} (an SPRAM holds {SPRAM_WORDS})")
    return problems


def check_attention_fit(spec: AttentionSpec, device: str = "up5k", package: str | None = None) -> None:
    """FitError, naming what the layer needs and which folds would fit, before any tool runs."""
    advice = ("no fold fits: use fewer tokens, a smaller embedding or fewer time steps" if DEVICES[device].spram
              else "no fold fits: the projections need a part with SPRAM and SB_MAC16 (up5k)")
    check_fold_fit("attention layer", spec, _needs, device, package, advice)


def synthesise_core(
    work_dir: Path, top: str, sources, device: str = "up5k", tools: str = "auto", timeout_s: float = 600,
) -> dict:
    """yosys alone on `top` (sources already written in `work_dir`), flattened: its cells by type."""
    yosys = find_toolchain(tools, timeout_s=timeout_s).yosys.path
    (work_dir / "core.ys").write_text(yosys_script(top, sources, device), encoding="utf-8")
    run_tool("yosys", [str(yosys), "-q", "core.ys"], work_dir, work_dir / "yosys.log", timeout_s)
    stat = json.loads((work_dir / "stat.json").read_text(encoding="utf-8"))
    return dict(stat["design"]["num_cells_by_type"])


def _parts_script(top: str, sources, device: str) -> str:
    reads = [f"read_verilog -sv {name}" for name in sources]
    dsp = ["-dsp"] if DEVICES[device].dsp else []
    synth = " ".join(["synth_ice40", *dsp, "-noflatten", "-top", top])
    return "\n".join([*reads, synth, "tee -q -o parts.json stat -json"]) + "\n"


def synthesise_parts(
    work_dir: Path, top: str = ATTN_TOP, sources=ATTN_SOURCES, device: str = "up5k", tools: str = "auto",
    timeout_s: float = 600,
) -> dict[str, dict]:
    """yosys on the layer with its module hierarchy kept: the cells of each part of PARTS (by hdl
    module name; submodule instances left out of the counts)."""
    yosys = find_toolchain(tools, timeout_s=timeout_s).yosys.path
    (work_dir / "parts.ys").write_text(_parts_script(top, sources, device), encoding="utf-8")
    run_tool("yosys", [str(yosys), "-q", "parts.ys"], work_dir, work_dir / "yosys.log", timeout_s)
    modules = json.loads((work_dir / "parts.json").read_text(encoding="utf-8"))["modules"]
    parts = {}
    for name, stat in modules.items():
        module = name.rsplit("\\", 1)[-1]  # "$paramod$<hash>\attn_core" -> "attn_core"
        if module in PARTS:
            parts[module] = {cell: count for cell, count in stat["num_cells_by_type"].items() if cell.startswith("SB_")}
    return parts


@dataclass(frozen=True)
class AttentionDeployResult:
    out_dir: Path
    report: BuildReport
    parts: dict  # hdl module -> cells by type, from the hierarchy-kept synthesis
    manifest: dict

    @property
    def core_cells(self) -> dict:
        """The attention core's cells (the core alone, as the part costs give it)."""
        return self.parts.get("attn_core", {})


def deploy_attention(
    spec: AttentionSpec | VariantSpec | SsmSpec | CpgSpec, out_dir: Path, options: Ice40Options = Ice40Options(),
    force: bool = False, fixed: FixedAttention | None = None, provenance: dict | None = None,
) -> AttentionDeployResult | BlockDeployResult:
    """Emit, place and route the layer of `spec` with the weights of `fixed` (default: the seed twin);
    record each part's cells beside the build report; `provenance` goes into the manifest.

    Any block spec of :func:`~sc_neurocore.transformers.spec.load_spec` is accepted: SSA/SDSA/A²OS²A,
    SSM and CPG specs go to :func:`.variant_deploy.deploy_variant`, :func:`.ssm_deploy.deploy_ssm` and
    :func:`.cpg_deploy.deploy_cpg`.
    """
    if isinstance(spec, VariantSpec):
        return deploy_variant(spec, out_dir, options, force)
    if isinstance(spec, SsmSpec):
        return deploy_ssm(spec, out_dir, options, force)
    if isinstance(spec, CpgSpec):
        return deploy_cpg(spec, out_dir, options, force)
    out_dir = Path(out_dir)
    check_writable(out_dir, force)
    check_attention_fit(spec, options.device, options.package)
    started = time.perf_counter()
    plan = with_provenance(emit_attention(spec, fixed=fixed), provenance)
    emit_seconds = time.perf_counter() - started
    parts: dict = {}

    def synthesise_each_part(partial: Path) -> dict:
        work = partial / PARTS_DIR
        write_files(work, {name: plan.files[name] for name in ATTN_SOURCES})
        parts.update(synthesise_parts(work, device=options.device, tools=options.tools, timeout_s=options.timeout_s))
        return {"attention_parts": parts, "attention_core_cells": parts.get("attn_core", {})}

    final = build_plan(plan, out_dir, options, emit_seconds, before_flow=synthesise_each_part)
    return AttentionDeployResult(out_dir, final, parts, plan.manifest)
