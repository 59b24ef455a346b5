"""The CPG encoder RTL, run by Icarus, equals the fixed twin: every phase and both spikes, every position."""

import pytest

from sc_neurocore.backends.cores.cpg.core import CpgCore
from sc_neurocore.backends.cores.cpg.design import cycles_per_position
from sc_neurocore.backends.cores.cpg.trace import expected_cpg_trace
from sc_neurocore.backends.cosim import cosimulate
from sc_neurocore.transformers.spec import CpgSpec

pytestmark = pytest.mark.cosim


@pytest.mark.parametrize("lanes", [1, 4, 32])
def test_cpg_encoder_is_bit_true(icarus, tmp_path, lanes):
    spec = CpgSpec(positions=40, lanes=lanes)
    result = cosimulate(CpgCore(spec), tmp_path)
    assert result.mismatches == 0, result.first_mismatch()
    assert len(result.expected_lines) == 40 * 32
    assert result.cycles == 40 * cycles_per_position(spec)


def test_a_wrong_window_is_caught(icarus, tmp_path):
    result = cosimulate(CpgCore(CpgSpec(positions=20, phase_bits=12)), tmp_path)
    wrong = expected_cpg_trace(CpgSpec(positions=20, phase_bits=13))
    assert sum(a != b for a, b in zip(result.rtl_lines, wrong)) > 0


def test_a_cpg_op_from_nir_is_bit_true(icarus, tmp_path):
    """A NIR CPG-PE op: the encoder over all its max_len positions matches the twin, whose spikes are
    the op's own (sin/cos >= 0.8) at every position."""
    import numpy as np

    from sc_neurocore.backends.cores import core_for_graph
    from sc_neurocore.backends.cores.settings import BlockSettings
    from sc_neurocore.passes.pipeline import block_graph
    from sc_neurocore.transformers import CPGPositionalEncoding
    from sc_neurocore.transformers.cpg import cpg_encoder_op
    from sc_neurocore.sim.twins.cpg import run_fixed_cpg
    from tests.netbuild import single_op_file

    encoder = CPGPositionalEncoding(16, 64, mode="cpg-pe")
    _, core = core_for_graph(block_graph(single_op_file(tmp_path, cpg_encoder_op(encoder))), BlockSettings(lanes=2))
    result = cosimulate(core, tmp_path / "cosim")
    assert result.mismatches == 0, result.first_mismatch()
    assert len(result.expected_lines) == 64 * 8
    np.testing.assert_array_equal(run_fixed_cpg(core.spec)[1], encoder.encode_spikes(64))
