"""Accuracy of a trained spiking transformer's engine build (`deploy model.nir` of `train`'s output).

The model file is rebuilt (:func:`~sc_neurocore.training.export.transformer_from_graph`), quantised
with the build's widths, and its integer twin (bit-true with the engine in co-simulation) classifies
the labelled features of ``--input`` (``train``'s ``test_set.npz``) beside the float model.
"""

from pathlib import Path

import numpy as np

from sc_neurocore.errors import InputError

from .accuracy import Accuracy
from .build import Build, check_model

__all__ = ["TRANSFORMER_BLOCK", "transformer_build_accuracy"]

TRANSFORMER_BLOCK = "spiking_transformer"


def _features(path: Path) -> tuple[np.ndarray, np.ndarray]:
    if not path.is_file():
        raise InputError(f"--input {path} does not exist")
    try:
        with np.load(path, allow_pickle=False) as data:
            features, labels = np.asarray(data["input"]), np.asarray(data["labels"])
    except (ValueError, OSError, KeyError) as error:
        raise InputError(f"{path}: expected a .npz with 'input' [B, n] features and 'labels' [B] ({error})") from None
    return features, labels


def transformer_build_accuracy(build: Build, model: Path, input_path: Path | None) -> tuple[Accuracy, str]:
    """Float and engine (fixed-point twin) accuracy of `model` on the labelled features of `input_path`."""
    from sc_neurocore.backends.transformer_deploy import emit_engine
    from sc_neurocore.backends.transformer_systemverilog import WEIGHTS_FILE
    from sc_neurocore.frontend import read_nir
    from sc_neurocore.sim.twins.quant import QuantSpec
    from sc_neurocore.sim.twins.transformer import FixedTransformer
    from sc_neurocore.training.accuracy import transformer_accuracy
    from sc_neurocore.training.export import transformer_from_graph

    if input_path is None:
        raise InputError(f"{build.path} is a trained transformer: its accuracy needs --input with labelled "
                         "features (train writes test_set.npz)")
    check_model(build, model)
    options = build.provenance.get("options", {})
    spec = QuantSpec(weight_bits=int(options.get("weight_bits", 8)), state_bits=int(options.get("state_bits", 16)))
    network = transformer_from_graph(read_nir(model))
    fixed = FixedTransformer.from_model(network, spec)
    steps = int(build.manifest["steps"])
    built = build.path / WEIGHTS_FILE
    if built.is_file() and built.read_text() != emit_engine(fixed, steps).files[WEIGHTS_FILE]:
        raise InputError(f"{model} does not belong to build {build.path}: its quantised weights differ from the build's")
    features, labels = _features(Path(input_path))
    measured = transformer_accuracy(network, fixed, steps, (features, labels))
    accuracy = Accuracy(measured["samples"], measured["float"], measured["hardware"], measured["agreement"])
    return accuracy, f"{input_path} ({measured['samples']} labelled samples, {steps} steps, direct encoding)"
