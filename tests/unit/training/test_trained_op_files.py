"""Trained transformers written before the block ops became plain data (tests/data/trained_ops, made by
its make_fixtures.py with that code) read back to the same logits, and writing the same model today
gives the same file byte for byte."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from sc_neurocore.training.export import read_transformer, write_transformer_nir

DATA = Path(__file__).parents[2] / "data" / "trained_ops"
_spec = importlib.util.spec_from_file_location("make_fixtures", DATA / "make_fixtures.py")
fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fixtures)


@pytest.mark.parametrize("attention", fixtures.KINDS)
def test_an_older_file_reads_back_to_the_same_logits(attention):
    model = read_transformer(DATA / f"transformer_{attention}.nir")
    want = np.load(DATA / f"logits_{attention}.npy")
    got = model.forward(fixtures.fixture_input())
    assert got.dtype == want.dtype and np.array_equal(got, want)
    assert np.ptp(want) > 0.1  # the logits differ between samples and classes


@pytest.mark.parametrize("attention", fixtures.KINDS)
def test_writing_the_same_model_gives_the_same_bytes(attention, tmp_path):
    path = write_transformer_nir(fixtures.perturbed_model(attention), tmp_path / "model.nir")
    assert path.read_bytes() == (DATA / f"transformer_{attention}.nir").read_bytes()
