"""The CPG core's design without tools: deterministic plan, lane-packed increments, cycle and pin counts."""

from sc_neurocore.backends.cores.cpg.design import cycles_per_position, emit_cpg, top_level_io_bits
from sc_neurocore.transformers.spec import CpgSpec


def test_cpg_plan_is_deterministic_with_lane_packed_increments():
    spec = CpgSpec(lanes=4)
    plan = emit_cpg(spec)
    assert plan.files == emit_cpg(spec).files
    assert len(plan.files["cpg_w.mem"].splitlines()) == 32 // 4
    assert cycles_per_position(spec) == 9 and top_level_io_bits(spec) == 13
