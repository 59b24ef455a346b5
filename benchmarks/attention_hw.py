"""Cost of the seed's spike-driven attention layer (4 heads, 32 tokens, 64 dims, T = 8) on an iCE40.

For each fold (lanes = 1, 2, 4, 8, 16): the whole layer (projections with one SB_MAC16 and their
Q/K/V neurons, attention core, output neurons) placed and routed on a UP5K (logic cells, EBR, SPRAM,
Fmax), each part's cells from a hierarchy-kept synthesis (the attention core's LUT4 among them), and
the 8-bit MAC + power-of-two softmax baseline core synthesised at matching throughput (twice the lanes:
it needs about two passes per query), on the UP5K (multiplies in SB_MAC16) and on the DSP-less HX8K
(multiplies in LUTs).
Writes benchmarks/results/attention_hw.json and attention_hw.svg. Run: python benchmarks/attention_hw.py
"""

import json
import tempfile
from dataclasses import replace
from pathlib import Path

from sc_neurocore.backends.build.build_dir import write_files
from sc_neurocore.backends.cores.attention.core import AttentionCore
from sc_neurocore.backends.cores.attention.design import cycles_per_step, projection_cycles
from sc_neurocore.backends.cores.mac_baseline.design import MAC_SOURCES, MAC_TOP, emit_mac_baseline, mac_cycles_per_step
from sc_neurocore.backends.deploy import deploy_core
from sc_neurocore.backends.flow.synth import synthesise
from sc_neurocore.sim.twins.seed_attention import quantisation_report, quantise_attention
from sc_neurocore.transformers.spec import AttentionSpec

RESULTS = Path(__file__).resolve().parent / "results"
FOLDS = (1, 2, 4, 8, 16)


def _baseline(seed: AttentionSpec, lanes: int, work: Path) -> dict | None:
    if lanes > seed.head_dim:
        return None
    spec = replace(seed, lanes=lanes)
    write_files(work, emit_mac_baseline(spec))
    up5k = synthesise(work, MAC_TOP, MAC_SOURCES, device="up5k")
    hx8k = synthesise(work, MAC_TOP, MAC_SOURCES, device="hx8k")
    return {
        "lanes": spec.lanes, "cycles_per_token_per_step": mac_cycles_per_step(spec) / spec.tokens,
        "up5k_lut4": up5k.get("SB_LUT4", 0), "up5k_dsp": up5k.get("SB_MAC16", 0),
        "hx8k_lut4": hx8k.get("SB_LUT4", 0), "ebr": up5k.get("SB_RAM40_4K", 0),
    }


def main() -> dict:
    seed = AttentionSpec()
    points = []
    with tempfile.TemporaryDirectory() as tmp:
        for lanes in FOLDS:
            spec = replace(seed, lanes=lanes)
            result = deploy_core(AttentionCore(spec), Path(tmp) / f"layer{lanes}", force=True)
            used = {row.name: row.used for row in result.report.resources}
            (clock,) = result.report.fmax_mhz.values()
            parts, core_cells = result.extra["attention_parts"], result.extra["attention_core_cells"]
            point = {
                "lanes": lanes,
                "core_lut4": core_cells.get("SB_LUT4", 0),
                "core_ebr": core_cells.get("SB_RAM40_4K", 0),
                "projection_lut4": parts["attn_qkv"].get("SB_LUT4", 0),
                "output_neuron_lut4": parts["attn_neurons"].get("SB_LUT4", 0),
                "parts": parts,
                "layer_logic_cells": used["logic cells"], "layer_lut4": used["LUT4"],
                "layer_flip_flops": used["flip-flops"], "layer_ebr": used["EBR"], "layer_io": used["IO"],
                "layer_spram": used["SPRAM"], "layer_dsp": used["DSP"],
                "layer_logic_cell_fraction": used["logic cells"] / 5280,
                "fmax_mhz": round(clock[0], 2),
                "cycles_per_step": cycles_per_step(spec),
                "cycles_per_token_per_step": cycles_per_step(spec) / spec.tokens,
                "projection_cycles": projection_cycles(spec),
                "cycles_per_inference": projection_cycles(spec) + spec.T * cycles_per_step(spec),
                "ms_per_inference_at_fmax": round((projection_cycles(spec) + spec.T * cycles_per_step(spec))
                                                  / (clock[0] * 1e3), 3),
                "baseline": _baseline(seed, 2 * lanes, Path(tmp) / f"mac{lanes}"),
            }
            base = point["baseline"]
            if base:
                point["lut_ratio_up5k"] = round(base["up5k_lut4"] / point["core_lut4"], 2)
                point["lut_ratio_hx8k_no_dsp"] = round(base["hx8k_lut4"] / point["core_lut4"], 2)
            points.append(point)
        tools = result.report.to_dict()["tools"]
    record = {
        "config": {**seed.__dict__},
        "device": "up5k-sg48",
        "tools": tools,
        "quantisation": quantisation_report(quantise_attention(seed)),
        "targets": {"core_lut4_at_smallest_fold": 200, "layer_logic_cell_fraction": 0.8, "fmax_mhz": 24},
        "points": points,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "attention_hw.json").write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    _plot(points, RESULTS / "attention_hw.svg")
    return record


def _plot(points: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    cycles = [p["cycles_per_token_per_step"] for p in points]
    ax.plot(cycles, [p["core_lut4"] for p in points], "o-", label="spiking core LUT4")
    ax.plot(cycles, [p["projection_lut4"] for p in points], "d-", label="projections + Q/K/V IF LUT4")
    ax.plot(cycles, [p["layer_logic_cells"] for p in points], "s-", label="spiking layer logic cells (P&R)")
    base = [p for p in points if p["baseline"]]
    ax.plot([p["baseline"]["cycles_per_token_per_step"] for p in base], [p["baseline"]["hx8k_lut4"] for p in base],
            "^--", label="8-bit MAC + softmax core LUT4 (no DSP)")
    for p in points:
        ax.annotate(f"L={p['lanes']}", (p["cycles_per_token_per_step"], p["core_lut4"]), fontsize=7)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("cycles per token per time step")
    ax.set_ylabel("cells")
    ax.set_title("Spike-driven attention layer (4 x 32 x 64), UP5K", fontsize=10)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, metadata={"Date": None})
    plt.close(fig)


if __name__ == "__main__":
    print(json.dumps(main()["points"], indent=1))
