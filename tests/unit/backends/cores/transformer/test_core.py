"""TransformerCore without tools: the fit check says why a model does not fit, the constructors refuse what
the engine cannot run, the default stimulus is one blank image."""

import numpy as np
import pytest

from sc_neurocore.backends.cores.transformer.core import TransformerCore
from sc_neurocore.backends.cores.transformer.design import emit_transformer
from sc_neurocore.backends.cores.transformer.fit import engine_ebr, engine_spram
from sc_neurocore.backends.device import DEVICES
from sc_neurocore.errors import FitError, InputError
from sc_neurocore.training import SpikingTransformer
from sc_neurocore.sim.twins.transformer import FixedTransformer


def test_the_dim_96_transformer_fits_a_up5k_and_larger_ones_say_why():
    core = TransformerCore.from_model(SpikingTransformer(8, 8, 10, dim=96, heads=4))
    core.check_fit("up5k", None)  # 82 k weights in three SPRAMs, the fourth for membranes, pixels, scores
    assert engine_spram(core.layout) == 4 and engine_ebr(core.layout) <= 30
    assert core.needs(DEVICES["up5k"], 39) == []
    big = TransformerCore.from_model(SpikingTransformer(8, 8, 10, dim=128, heads=4))
    with pytest.raises(FitError, match=r"^the transformer engine does not fit up5k: it needs 6 SPRAM for 142336 "
                                       r"weights .*\(has 4\); train a smaller model"):
        big.check_fit("up5k", None)
    with pytest.raises(FitError, match=r"needs 4 SPRAM .*\(has 0\)"):
        core.check_fit("hx8k", None)
    assert core.needs(DEVICES["up5k"], 21) == ["37 IO pins (has 21)"]
    with pytest.raises(FitError, match="37 port bits but up5k-uwg30 has 21 usable IO pins"):
        core.check_fit("up5k", "uwg30")


def test_the_constructors_refuse_other_models():
    with pytest.raises(InputError, match="needs a SpikingTransformer"):
        TransformerCore.from_model(object())
    model = SpikingTransformer(8, 8, 10, dim=16, heads=2)
    with pytest.raises(InputError, match="test_set: expected features"):
        TransformerCore.from_model(model, test_set=(np.zeros(4), np.zeros(4)))
    with pytest.raises(InputError, match="steps must be at least 1"):
        TransformerCore.from_model(model, steps=0)


def test_the_manifest_names_the_block_its_shape_and_accuracy():
    model = SpikingTransformer(8, 8, 10, dim=16, heads=2, seed=1)
    rng = np.random.default_rng(0)
    test_set = (rng.random((5, 64)), rng.integers(0, 10, 5))
    core = TransformerCore.from_model(model, steps=3, test_set=test_set)
    manifest = core.emit().manifest
    assert manifest["block"] == "spiking_transformer" and manifest["accuracy"]["samples"] == 5
    assert manifest["spec"] == {"T": 3, "tokens": 8, "token_dim": 8, "dim": 16, "heads": 2, "hidden": 32,
                                "classes": 10}
    plain = core.with_stream(emit_transformer(FixedTransformer.from_model(model), 3))  # plus the stream port's files
    assert {k: v for k, v in core.emit().files.items() if k != "manifest.json"} == \
        {k: v for k, v in plain.files.items() if k != "manifest.json"}
    assert core.expected_trace()[0] == f"W {len(core.layout.weights)}"
    assert core.expected_trace() == core.expected_trace(np.zeros((1, 64)))
