"""Cost of the seed's SpikyStateSpace layer (d_model 32, d_state 64, examples/ssm_seed.yaml) and CPG
encoder (d_model 64, examples/cpg_seed.yaml) on a UP5K.

For each fold that fits (SSM lanes = 1, 2, 4; CPG lanes = 1, 4, 8): the block placed and routed (logic
cells, EBR, DSP, Fmax), the busy cycles per step or position (the cosim tests pin them), and what
quantisation costs against float. Writes benchmarks/results/ssm_hw.json. Run: python benchmarks/ssm_hw.py
"""

import json
import tempfile
from dataclasses import replace
from pathlib import Path

from sc_neurocore.backends.cores.cpg.core import CpgCore
from sc_neurocore.backends.cores.cpg.design import cycles_per_position
from sc_neurocore.backends.cores.cpg.fit import cpg_ebr_estimate
from sc_neurocore.backends.cores.ssm.core import SsmCore
from sc_neurocore.backends.cores.ssm.design import cycles_per_step
from sc_neurocore.backends.cores.ssm.fit import ssm_ebr_estimate
from sc_neurocore.backends.deploy import deploy_core
from sc_neurocore.sim.twins.cpg import cpg_report
from sc_neurocore.sim.twins.ssm import quantise_ssm, ssm_report
from sc_neurocore.transformers.spec import load_spec

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
FOLDS = (1, 2, 4)
CPG_FOLDS = (1, 4, 8)


def _used(result) -> tuple[dict, float]:
    (clock,) = result.report.fmax_mhz.values()
    return {row.name: row.used for row in result.report.resources}, round(clock[0], 2)


def _cpg(tmp: Path) -> dict:
    seed = load_spec(ROOT / "examples" / "cpg_seed.yaml")
    points = []
    for lanes in CPG_FOLDS:
        spec = replace(seed, lanes=lanes)
        used, fmax = _used(deploy_core(CpgCore(spec), tmp / f"cpg{lanes}", force=True))
        points.append({
            "lanes": lanes, "logic_cells": used["logic cells"], "lut4": used["LUT4"], "flip_flops": used["flip-flops"],
            "ebr": used["EBR"], "ebr_estimate": cpg_ebr_estimate(spec), "dsp": used["DSP"], "io": used["IO"],
            "fmax_mhz": fmax, "cycles_per_position": cycles_per_position(spec),
        })
    return {"config": {**seed.__dict__}, "quantisation": cpg_report(seed), "points": points}


def main() -> dict:
    seed = load_spec(ROOT / "examples" / "ssm_seed.yaml")
    points = []
    with tempfile.TemporaryDirectory() as tmp:
        for lanes in FOLDS:
            spec = replace(seed, lanes=lanes)
            core = SsmCore(spec)
            result = deploy_core(core, Path(tmp) / f"ssm{lanes}", force=True)
            used, fmax = _used(result)
            points.append({
                "lanes": lanes,
                "logic_cells": used["logic cells"], "lut4": used["LUT4"], "carries": used["carries"],
                "flip_flops": used["flip-flops"], "ebr": used["EBR"], "ebr_estimate": ssm_ebr_estimate(spec, core.fixed.formats.v_bits),
                "dsp": used["DSP"], "io": used["IO"], "logic_cell_fraction": round(used["logic cells"] / 5280, 4),
                "fmax_mhz": fmax,
                "cycles_per_step": cycles_per_step(spec),
                "steps_per_second_at_fmax": round(fmax * 1e6 / (cycles_per_step(spec) + spec.d_model)),
            })
        tools = result.report.to_dict()["tools"]
        cpg = _cpg(Path(tmp))
    record = {
        "config": {**seed.__dict__},
        "device": "up5k-sg48",
        "tools": tools,
        "note": "steps per second count the d_model load cycles of the input port too",
        "quantisation": ssm_report(quantise_ssm(seed)),
        "targets": {"logic_cell_fraction": 0.8, "fmax_mhz": 24},
        "points": points,
        "cpg_encoder": cpg,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "ssm_hw.json").write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    return record


if __name__ == "__main__":
    print(json.dumps(main()["points"], indent=1))
