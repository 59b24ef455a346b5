"""The SSM layer RTL, run by Icarus, equals the fixed twin: every state and gate membrane, every step."""

from dataclasses import replace

import numpy as np
import pytest

from sc_neurocore.backends.cores.ssm.core import SsmCore
from sc_neurocore.backends.cores.ssm.design import cycles_per_step
from sc_neurocore.backends.cores.ssm.trace import expected_ssm_trace
from sc_neurocore.backends.cosim import cosimulate
from sc_neurocore.sim.twins.ssm import quantise_ssm, run_fixed_ssm
from sc_neurocore.transformers.spec import SsmSpec
from sc_neurocore.transformers.ssm import spiky_state_space_op

pytestmark = pytest.mark.cosim

SMALL = SsmSpec(d_model=8, d_state=16, T=6, dt=0.1, threshold=0.25)


@pytest.mark.parametrize("lanes", [1, 2, 8])
def test_ssm_layer_is_bit_true(icarus, tmp_path, lanes):
    spec = replace(SMALL, lanes=lanes)
    result = cosimulate(SsmCore(spec), tmp_path)
    assert result.mismatches == 0, result.first_mismatch()
    assert len(result.expected_lines) == spec.T * (spec.d_state + spec.d_model)
    gate = [line.split() for line in result.expected_lines if line.startswith("V")]
    assert any(s == "1" for *_, s in gate) and any(int(v) < 0 for *_, v, _ in gate), "fire and go negative"
    assert result.cycles == spec.T * cycles_per_step(spec)


def test_saturated_state_is_bit_true(icarus, tmp_path):
    spec = replace(SMALL, state_bits=12)
    quiet = np.full((spec.T, spec.d_model), 0.01)
    quiet[0, 0] = 1.0  # the input scale covers 1.0, the state scale only the quiet input
    fixed = quantise_ssm(spec, quiet)
    loud = np.full_like(fixed.x_int, 2 ** 7 - 1)  # overflows the calibrated scale
    result = cosimulate(SsmCore(spec, fixed), tmp_path, stimulus=loud)
    assert result.mismatches == 0, result.first_mismatch()
    states = {int(line.split()[3]) for line in result.rtl_lines if line.startswith("H")}
    assert {2 ** 11 - 1, -(2 ** 11)} <= states


def test_a_wrong_decay_is_caught(icarus, tmp_path):
    fixed = quantise_ssm(SMALL)
    result = cosimulate(SsmCore(SMALL, fixed), tmp_path)
    wrong = expected_ssm_trace(run_fixed_ssm(replace(fixed, a_int=fixed.a_int - 1)))
    assert sum(a != b for a, b in zip(result.rtl_lines, wrong)) > 0


@pytest.mark.parametrize("lanes", [1, 4])
def test_an_ssm_op_from_nir_is_bit_true_with_its_own_weights(icarus, tmp_path, lanes):
    """A NIR SSM op whose A, B, C are not its seed's: the RTL runs the op's images, bit for bit."""
    from sc_neurocore.backends.cores import core_for_graph
    from sc_neurocore.backends.cores.settings import BlockSettings
    from sc_neurocore.backends.cores.ssm.design import SSM_MEMORIES
    from sc_neurocore.passes.pipeline import block_graph
    from tests.netbuild import perturbed_ssm, single_op_file

    path = single_op_file(tmp_path, spiky_state_space_op(perturbed_ssm()))
    _, core = core_for_graph(block_graph(path), BlockSettings(lanes=lanes, steps=8))
    result = cosimulate(core, tmp_path / "cosim")
    assert result.mismatches == 0, result.first_mismatch()
    assert len(result.expected_lines) == 8 * (core.spec.d_state + core.spec.d_model)
    assert any(line.startswith("V") and line.endswith(" 1") for line in result.rtl_lines), "the gate fires"
    seeded = SsmCore(core.spec).emit().files
    for image in SSM_MEMORIES:
        assert (tmp_path / "cosim" / image).read_text() != seeded[image], f"{image} is the seed's"
    seed_trace = SsmCore(core.spec).expected_trace()
    assert sum(a != b for a, b in zip(result.rtl_lines, seed_trace)) > 0, "the seed's twin would not match"
