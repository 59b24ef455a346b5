"""The example SSA, SDSA and A²OS²A specs (64 dims, 4 heads, 32 tokens, T 8, lanes 1) place and route on
a UP5K behind their narrow host port: they fit the sg48 package and the device, meet a 24 MHz clock, and
the build report records cycles per time step and time steps per second at the Fmax nextpnr reached.
The measured figures are in docs/attention_hw.md."""

import json
from dataclasses import replace
from pathlib import Path

import pytest

from sc_neurocore.backends.cores import core_for_spec
from sc_neurocore.backends.deploy import deploy_core
from sc_neurocore.backends.device import DEVICES
from sc_neurocore.backends.flow.icestorm import Ice40Options
from sc_neurocore.errors import FitError
from sc_neurocore.report.build_record import BUILD_REPORT
from sc_neurocore.transformers.spec import load_spec

pytestmark = pytest.mark.eda

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
UP5K = DEVICES["up5k"]
TARGET_MHZ = 24.0


def deploy_and_check(spec, out_dir) -> dict:
    core = core_for_spec(spec)
    result = deploy_core(core, out_dir, Ice40Options(freq_mhz=TARGET_MHZ))
    record = json.loads((out_dir / BUILD_REPORT).read_text())
    used = {row["name"]: row["used"] for row in record["resources"]}
    assert 0 < used["logic cells"] < 0.8 * 5280, used
    assert used["IO"] <= UP5K.packages["sg48"] and used["IO"] == record["manifest"]["top_level_io_bits"]
    assert 1 <= used["EBR"] <= core.ebr_estimate(), "the fit check's estimate is an upper bound"
    assert used["DSP"] == 0, "the attention cores are addition-only"
    (clock,) = record["fmax_mhz"].values()
    assert clock["constraint"] == TARGET_MHZ and clock["achieved"] >= TARGET_MHZ, clock
    assert result.report.timing_met
    throughput = record["throughput"]
    assert throughput["fmax_mhz"] == clock["achieved"]
    assert throughput["cycles_per_step"] == core.stream_cycles_per_step() == record["manifest"]["cycles_per_step"]
    assert throughput["steps_per_second"] == pytest.approx(clock["achieved"] * 1e6 / throughput["cycles_per_step"])
    assert result.report.bitstream.stat().st_size > 100_000
    return record


@pytest.mark.parametrize("name", ["ssa", "sdsa", "a2os2a"])
def test_the_example_core_routes_on_a_up5k(tmp_path, name):
    spec = load_spec(EXAMPLES / f"{name}_seed.yaml")
    record = deploy_and_check(spec, tmp_path / name)
    assert record["manifest"]["spec"] == {**spec.__dict__}


def test_the_widest_fold_the_fit_check_admits_routes_and_the_next_is_refused(tmp_path):
    seed = load_spec(EXAMPLES / "a2os2a_seed.yaml")
    core = core_for_spec(seed)
    fitting = [lanes for lanes in seed.lane_choices() if _fits(core.with_lanes(lanes))]
    widest = replace(seed, lanes=fitting[-1])
    narrow = deploy_and_check(seed, tmp_path / "narrow")
    wide = deploy_and_check(widest, tmp_path / "wide")
    assert wide["throughput"]["cycles_per_step"] < narrow["throughput"]["cycles_per_step"]
    wider = seed.lane_choices()[seed.lane_choices().index(widest.lanes) + 1]
    with pytest.raises(FitError, match=f"folds that fit: lanes={', '.join(map(str, fitting))}$"):
        deploy_core(core.with_lanes(wider), tmp_path / "too_wide")


def _fits(core) -> bool:
    try:
        core.check_fit("up5k", None)
    except FitError:
        return False
    return True
