"""Training spiking networks in NumPy: surrogate gradients, BPTT layers, losses, optimisers, data.

Every layer has a hand-written backward pass over whole time sequences ``(T, B, ...)``; see
``module.py`` for the contract and ``neurons.py`` for the LIF equations and their gradients.
"""

from .modules.attention import TrainableSpikformerSSA
from .modules.attention_variants import TernaryLIF, TrainableA2OS2A, TrainableSDSA
from .data import ENCODINGS, Dataset, batches, encode, load_digits_split, load_npz, shift_images
from .modules.layers import AddPosition, LayerNorm, TrainableLinear, TimeLast, TimeMean
from .losses import cross_entropy, mse
from .modules.mlp import READOUTS, SpikingMLPClassifier
from .modules.module import Module, Parameter, Sequential
from .modules.neurons import TrainableIF, TrainableLI, TrainableLIF
from .optim import SGD, Adam
from .modules.surrogate import (
    SURROGATES, Surrogate, atan_surrogate, fast_sigmoid_surrogate, sigmoid_surrogate,
    straight_through_surrogate, triangle_surrogate,
)
from .modules.ssm import LIFGatedStateSpace, SSMClassifier
from .modules.transformer import SpikingTransformer
from .trainer import EpochResult, cosine_lr, evaluate, fit, predict, train_epoch

__all__ = [
    "Adam", "AddPosition", "Dataset", "ENCODINGS", "EpochResult", "LIFGatedStateSpace", "LayerNorm", "Module",
    "Parameter", "READOUTS", "SGD", "SSMClassifier", "SURROGATES", "Sequential", "SpikingMLPClassifier",
    "SpikingTransformer", "Surrogate", "TernaryLIF", "TimeLast", "TimeMean", "TrainableA2OS2A", "TrainableIF",
    "TrainableLI", "TrainableLIF", "TrainableLinear", "TrainableSDSA", "TrainableSpikformerSSA",
    "atan_surrogate", "batches", "cosine_lr", "cross_entropy", "encode", "evaluate", "fast_sigmoid_surrogate",
    "fit", "load_digits_split", "load_npz", "mse", "predict", "shift_images", "sigmoid_surrogate",
    "straight_through_surrogate", "train_epoch", "triangle_surrogate",
]
