"""A transformer build's accuracy: the model's quantised weights must be the ones the build streams (read
from the build's manifest and weight stream, not from the generators)."""

import numpy as np
import pytest

from sc_neurocore.backends.compile import compile_core
from sc_neurocore.backends.cores.transformer.core import TransformerCore
from sc_neurocore.errors import InputError
from sc_neurocore.report.build import Build
from sc_neurocore.report.transformer import transformer_build_accuracy
from sc_neurocore.training.export import write_transformer_nir
from sc_neurocore.training.modules.transformer import SpikingTransformer


def _model(seed: int) -> SpikingTransformer:
    return SpikingTransformer(8, 8, 10, dim=16, heads=2, seed=seed)


def test_a_model_with_other_weights_is_refused(tmp_path):
    built = compile_core(TransformerCore.from_model(_model(5), steps=3), tmp_path / "build")
    build = Build(built.out_dir, None, built.plan.manifest, None)  # no provenance: only the weights tell
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "test_set.npz", input=rng.random((6, 64)), labels=rng.integers(0, 10, 6))
    own = write_transformer_nir(_model(5), tmp_path / "own.nir", {"steps": 3})
    accuracy, source = transformer_build_accuracy(build, own, tmp_path / "test_set.npz")
    assert accuracy.samples == 6 and "3 steps" in source
    other = write_transformer_nir(_model(6), tmp_path / "other.nir", {"steps": 3})
    with pytest.raises(InputError, match="its quantised weights differ from the build's"):
        transformer_build_accuracy(build, other, tmp_path / "test_set.npz")
    wider = write_transformer_nir(SpikingTransformer(8, 8, 10, dim=32, heads=2, seed=5), tmp_path / "wide.nir")
    with pytest.raises(InputError, match="its quantised weights differ from the build's"):
        transformer_build_accuracy(build, wider, tmp_path / "test_set.npz")
