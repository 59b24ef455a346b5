"""Training spiking networks in NumPy: surrogate gradients, BPTT layers, losses, optimisers, data.

Every layer has a hand-written backward pass over whole time sequences ``(T, B, ...)``; see
``module.py`` for the contract and ``neurons.py`` for the LIF equations and their gradients.
"""

from .attention import TrainableSpikformerSSA
from .attention_variants import TernaryLIF, TrainableA2OS2A, TrainableSDSA
from .data import ENCODINGS, Dataset, batches, encode, load_digits_split, load_npz, shift_images
from .layers import AddPosition, LayerNorm, Linear, TimeLast, TimeMean
from .losses import cross_entropy, mse
from .mlp import READOUTS, SpikingMLPClassifier
from .module import Module, Parameter, Sequential
from .neurons import IF, LI, LIF
from .optim import SGD, Adam
from .surrogate import (
    SURROGATES, Surrogate, atan_surrogate, fast_sigmoid_surrogate, sigmoid_surrogate,
    straight_through_surrogate, triangle_surrogate,
)
from .ssm import LIFGatedStateSpace, SSMClassifier
from .transformer import SpikingTransformer
from .trainer import EpochResult, cosine_lr, evaluate, fit, predict, train_epoch

__all__ = [
    "AddPosition", "Adam", "Dataset", "ENCODINGS", "EpochResult", "IF", "LI", "LIF", "LIFGatedStateSpace",
    "LayerNorm", "Linear", "Module", "Parameter", "READOUTS", "SGD", "SURROGATES", "Sequential",
    "SpikingMLPClassifier", "SpikingTransformer", "Surrogate", "SSMClassifier", "TernaryLIF", "TimeLast",
    "TimeMean", "TrainableA2OS2A", "TrainableSDSA", "TrainableSpikformerSSA", "atan_surrogate", "batches",
    "cosine_lr", "cross_entropy", "encode", "evaluate", "fit", "fast_sigmoid_surrogate", "load_digits_split",
    "load_npz", "mse", "predict", "sigmoid_surrogate", "shift_images", "straight_through_surrogate",
    "train_epoch", "triangle_surrogate",
]
