"""The MAC baseline's testbench stimulus and operand checks."""

import numpy as np
import pytest

from sc_neurocore.backends.cores.mac_baseline.core import MacBaselineCore
from sc_neurocore.errors import InputError
from sc_neurocore.transformers.spec import AttentionSpec


def test_testbench_stimulus_packs_lanes_low_first_in_twos_complement():
    spec = AttentionSpec(embed_dim=4, num_heads=1, tokens=2, lanes=2)
    q = np.array([[[-1, 2, -128, 127], [0, 1, 3, -3]]])
    words = MacBaselineCore(spec).emit([(q, q, q)]).files["stimulus.mem"].split()
    assert words[:4] == ["02ff", "7f80", "0100", "fd03"] and len(words) == 3 * 4
    with pytest.raises(InputError, match=r"k must have shape \(1, 2, 4\)"):
        MacBaselineCore(spec).emit([(q, q[:, :1], q)])
