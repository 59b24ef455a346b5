"""yosys synth_ice40 of each attention-variant core (SSA and A²OS²A in K^T V order, SDSA) for a UP5K:
it synthesises, fits (LUT4 and EBR), keeps its spike matrices and membranes in block RAM, uses no
multiplier, and a wider fold costs more LUTs. The measured figures are in docs/attention_hw.md."""

import pytest

from sc_neurocore.backends.build.build_dir import write_files
from sc_neurocore.backends.cores import core_for_spec
from sc_neurocore.backends.device import DEVICES
from sc_neurocore.backends.flow.synth import synthesise as synthesise_design
from sc_neurocore.sim.twins.attention_variants import VariantSpec, random_qkv, variant_stimulus

pytestmark = pytest.mark.eda

UP5K = DEVICES["up5k"]
UP5K_LUT4 = 5280


def synthesise(spec, work_dir) -> dict:
    plan = core_for_spec(spec).emit(variant_stimulus(spec, *random_qkv(spec)))
    write_files(work_dir, {name: plan.files[name] for name in plan.sources})
    cells = synthesise_design(work_dir, plan.top, plan.sources, device="up5k")
    assert 0 < cells.get("SB_LUT4", 0) < 0.8 * UP5K_LUT4, cells
    assert 3 <= cells.get("SB_RAM40_4K", 0) <= UP5K.ebr, "Q/K/V spikes and membranes belong in EBR"
    assert cells.get("SB_MAC16", 0) == 0, "the attention core is addition-only"
    return cells


@pytest.mark.parametrize("variant", ["ssa", "a2os2a", "sdsa"])
def test_variant_core_synthesises_and_fits_a_up5k(tmp_path, variant):
    luts = {}
    for lanes in (1, 4):
        spec = VariantSpec(variant, embed_dim=32, num_heads=2, tokens=16, T=4, lanes=lanes)
        luts[lanes] = synthesise(spec, tmp_path / f"lanes{lanes}")["SB_LUT4"]
    assert luts[4] > luts[1], luts


@pytest.mark.parametrize("variant", ["ssa", "a2os2a", "sdsa"])
def test_odd_shapes_synthesise_with_running_addresses(tmp_path, variant):
    """Token and chunk counts that are not powers of two take the running address registers."""
    synthesise(VariantSpec(variant, embed_dim=24, num_heads=2, tokens=12, T=4, lanes=2), tmp_path)
