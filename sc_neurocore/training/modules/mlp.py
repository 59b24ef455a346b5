"""The spiking MLP: ``Input -> [Linear -> LIF] x L -> readout``.

Readouts: ``spikes`` (the last layer is LIF; logits are spike counts ``sum_t s[t]``) or ``membrane``
(the last layer is a non-spiking LI; logits are ``(1/T) sum_t u[t]``). Both export to NIR as a chain
of ``Affine`` and ``LIF``/``LI`` nodes and run on the fixed-point simulator.
"""

from __future__ import annotations

import numpy as np

from sc_neurocore.errors import InputError
from sc_neurocore.sim.twins.quant import QuantSpec

from .layers import TrainableLinear, TimeMean
from .module import Module
from .neurons import TrainableLI, TrainableLIF
from .surrogate import Surrogate

__all__ = ["SpikingMLPClassifier", "READOUTS"]

READOUTS = ("spikes", "membrane")


class SpikingMLPClassifier(Module):
    """Fully connected spiking network; ``forward((T, B, n_in)) -> logits (B, n_out)``."""

    def __init__(self, sizes: list[int], *, tau: float = 2.0, dt: float = 1.0, threshold: float = 1.0,
                 learn_threshold: bool = False, learn_tau: bool = False, readout: str = "spikes",
                 surrogate: Surrogate | None = None, seed: int = 0, dtype=np.float32):
        if len(sizes) < 2 or any(int(n) < 1 for n in sizes):
            raise InputError(f"model.sizes needs at least two positive sizes, got {sizes}")
        if readout not in READOUTS:
            raise InputError(f"model.readout must be one of {READOUTS}, got '{readout}'")
        rng = np.random.default_rng(seed)
        self.sizes, self.readout, self.dt = [int(n) for n in sizes], readout, dt
        self.linears = [TrainableLinear(a, b, rng=rng, gain=2.0, dtype=dtype) for a, b in zip(sizes[:-1], sizes[1:])]
        self.neurons = []
        for i, n in enumerate(self.sizes[1:]):
            if readout == "membrane" and i == len(self.sizes) - 2:
                self.neurons.append(TrainableLI(n, tau=tau, dt=dt, learn_tau=learn_tau, dtype=dtype))
            else:
                self.neurons.append(TrainableLIF(n, tau=tau, dt=dt, threshold=threshold, learn_threshold=learn_threshold,
                                        learn_tau=learn_tau, surrogate=surrogate, dtype=dtype))
        self.head = TimeMean()

    def set_quant(self, spec: QuantSpec | None, input_frac_bits: int | None = None) -> None:
        """Switch quantisation-aware mode on (``spec``) or off (``None``).

        ``input_frac_bits`` is the fraction width of a non-binary input (``None`` for spikes).
        """
        for layer in self.linears + self.neurons:
            layer.quant = spec
        self.linears[0].input_frac_bits = input_frac_bits

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.head.scale = x.shape[0] if self.readout == "spikes" else 1.0
        for linear, neuron in zip(self.linears, self.neurons):
            current = linear.forward(x)
            neuron.state_step = 2.0**-linear.frac_bits
            x = neuron.forward(current)
        return self.head.forward(x)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        grad = self.head.backward(grad)
        for linear, neuron in zip(reversed(self.linears), reversed(self.neurons)):
            grad = linear.backward(neuron.backward(grad))
        return grad
