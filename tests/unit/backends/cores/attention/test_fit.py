"""The attention layer's fit check: what it needs of a part (IO pins, EBR, SPRAM, SB_MAC16) and which
folds fit, before any tool runs."""

import pytest

from sc_neurocore.backends.cores.attention.core import AttentionCore
from sc_neurocore.backends.cores.attention.fit import ebr_estimate, spram_estimate
from sc_neurocore.errors import FitError
from sc_neurocore.transformers.spec import AttentionSpec


def check(spec, device="up5k"):
    AttentionCore(spec).check_fit(device, None)


def test_a_layer_too_big_names_what_it_needs_and_the_fold_that_fits():
    with pytest.raises(FitError, match=r"needs 45 IO pins \(has 39\), 42 EBR \(has 30\); folds that fit: lanes=1, 2, 4, 8, 16$"):
        check(AttentionSpec(embed_dim=64, num_heads=2, lanes=32))
    with pytest.raises(FitError, match=r"164 EBR \(has 30\); no fold fits"):
        check(AttentionSpec(tokens=256))
    with pytest.raises(FitError, match=r"36864 SPRAM words for the weights \(an SPRAM holds 16384\)"):
        check(AttentionSpec(embed_dim=192, num_heads=12))
    with pytest.raises(FitError, match=r"4 SPRAM .*\(has 0\), 3 SB_MAC16 .*\(has 0\).*need a part with SPRAM"):
        check(AttentionSpec(), device="hx8k")
    check(AttentionSpec())
    # Q, K, |V| of 8 steps (4 EBR each), V's signs (1), membranes 2048 x 13 (7): what nextpnr reports
    assert ebr_estimate(AttentionSpec()) == 20
    assert spram_estimate(AttentionSpec()) == {"weights": 64 * 64, "input": 32 * 64}
