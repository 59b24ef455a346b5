"""Writes the trained-op NIR files of this folder (run once, with the code whose on-disk format they pin):
a small trained spiking transformer per attention kind, its logits on a fixed input, and the input.

    python tests/data/trained_ops/make_fixtures.py
"""

from pathlib import Path

import numpy as np

from sc_neurocore.training import SpikingTransformer
from sc_neurocore.training.export import write_transformer_nir

HERE = Path(__file__).parent
KINDS = ("ssa", "sdsa", "a2os2a")


def perturbed_model(attention: str) -> SpikingTransformer:
    """A two-block transformer with every parameter, thresholds included, moved off its initial value."""
    model = SpikingTransformer(4, 6, 3, dim=8, heads=2, depth=2, seed=5, attention=attention)
    rng = np.random.default_rng(11)
    for p in model.parameters():
        p.value += rng.normal(0, 0.2, p.value.shape).astype(p.value.dtype)
    return model


def fixture_input() -> np.ndarray:
    """``(T, B, tokens * token_dim)`` currents the models take."""
    return np.random.default_rng(3).random((4, 5, 24)).astype(np.float32)


def main() -> None:
    x = fixture_input()
    for kind in KINDS:
        model = perturbed_model(kind)
        write_transformer_nir(model, HERE / f"transformer_{kind}.nir")
        np.save(HERE / f"logits_{kind}.npy", model.forward(x))


if __name__ == "__main__":
    main()
