"""Accuracy of a trained spiking transformer's engine build (`deploy model.nir` of `train`'s output).

The model file is rebuilt (:func:`~sc_neurocore.training.export.transformer_from_graph`), quantised
with the build's widths, and its integer twin (bit-true with the engine in co-simulation) classifies
the labelled features of ``--input`` (``train``'s ``test_set.npz``) beside the float model. That the
twin's weights are the build's is read from the build itself: the manifest's stage table places each
layer's weights in the weight stream its ``host_load`` names.
"""

from pathlib import Path

import numpy as np

from sc_neurocore.errors import InputError
from sc_neurocore.frontend import read_nir
from sc_neurocore.sim.twins.quant import QuantSpec
from sc_neurocore.sim.twins.transformer import FixedTransformer
from sc_neurocore.training.accuracy import transformer_accuracy
from sc_neurocore.training.export import transformer_from_graph

from .accuracy import Accuracy
from .build import Build, check_model

__all__ = ["TRANSFORMER_BLOCK", "transformer_build_accuracy", "load_features"]

TRANSFORMER_BLOCK = "spiking_transformer"
# engine stage (the manifest's "stages") -> the twin's weight matrix that stage reads
_STAGE_WEIGHTS = {
    "embed": lambda f: f.embed.weight, "W_q": lambda f: f.blocks[0].attention.q.weight,
    "W_k": lambda f: f.blocks[0].attention.k.weight, "W_v": lambda f: f.blocks[0].attention.v.weight,
    "W_out": lambda f: f.blocks[0].attention.out.weight, "fc1": lambda f: f.blocks[0].fc1.weight,
    "fc2": lambda f: f.blocks[0].fc2.weight, "head": lambda f: f.head_weight,
}


def load_features(path: Path, pixels: int | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """The transformer's input features [B, n] and their labels: a .npz with 'input' (and 'labels', None
    when absent), or a plain .npy of features. With `pixels`, the features must be [B, pixels] in [0, 1]."""
    if not path.is_file():
        raise InputError(f"--input {path} does not exist")
    try:
        loaded = np.load(path, allow_pickle=False)
        if isinstance(loaded, np.ndarray):
            features, labels = loaded, None
        else:
            with loaded as data:
                features = np.asarray(data["input"])
                labels = np.asarray(data["labels"]) if "labels" in data.files else None
    except (ValueError, OSError, KeyError) as error:
        raise InputError(f"{path}: expected a .npz with 'input' [B, n] features and 'labels' [B] ({error})") from None
    if pixels is not None and (features.ndim != 2 or features.shape[1] != pixels
                               or not np.all((features >= 0) & (features <= 1))):
        raise InputError(f"{path}: images must be shaped [B, {pixels}] with values in [0, 1], got "
                         f"{list(features.shape)}")
    if labels is not None and (labels.shape != (len(features),) or not np.issubdtype(labels.dtype, np.integer)):
        raise InputError(f"{path}: 'labels' must hold one class index per image")
    return features, labels


def _holds_weights_of(build: Build, fixed) -> bool:
    """Whether the build's weight stream (one byte a line) holds exactly `fixed`'s weights, where the
    manifest's stage table places them; True when the build directory has no stream to compare."""
    stream_file = build.path / build.manifest["host_load"]["file"]
    if not stream_file.is_file():
        return True
    stream = [int(line, 16) for line in stream_file.read_text().split()]
    placed = 0
    for stage in build.manifest["stages"]:
        if stage["name"] not in _STAGE_WEIGHTS:
            continue
        weights = [int(w) & 0xFF for w in np.asarray(_STAGE_WEIGHTS[stage["name"]](fixed)).ravel()]
        base = (stage["w_base_hi"] << 16) + stage["w_base"]
        if stream[base:base + len(weights)] != weights:
            return False
        placed += len(weights)
    return placed + placed % 2 == len(stream)  # every byte is some layer's (plus one pad byte to a whole word)


def transformer_build_accuracy(build: Build, model: Path, input_path: Path | None) -> tuple[Accuracy, str]:
    """Float and engine (fixed-point twin) accuracy of `model` on the labelled features of `input_path`."""
    if input_path is None:
        raise InputError(f"{build.path} is a trained transformer: its accuracy needs --input with labelled "
                         "features (train writes test_set.npz)")
    check_model(build, model)
    options = build.provenance.get("options", {})
    spec = QuantSpec(weight_bits=int(options.get("weight_bits", 8)), state_bits=int(options.get("state_bits", 16)))
    network = transformer_from_graph(read_nir(model))
    fixed = FixedTransformer.from_model(network, spec)
    steps = int(build.manifest["steps"])
    if not _holds_weights_of(build, fixed):
        raise InputError(f"{model} does not belong to build {build.path}: its quantised weights differ from the build's")
    features, labels = load_features(Path(input_path))
    if labels is None:
        raise InputError(f"{input_path}: expected a .npz with 'input' [B, n] features and 'labels' [B] (no 'labels')")
    measured = transformer_accuracy(network, fixed, steps, (features, labels))
    accuracy = Accuracy(measured["samples"], measured["float"], measured["hardware"], measured["agreement"])
    return accuracy, f"{input_path} ({measured['samples']} labelled samples, {steps} steps, direct encoding)"
