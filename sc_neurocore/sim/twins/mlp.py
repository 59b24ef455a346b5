"""Integer simulation of a trained ``SpikingMLPClassifier`` in the hardware's arithmetic.

Per layer ``i`` with weight grid ``q_i = 2^-f_i`` (8-bit weights, 16-bit membrane on the same grid)::

    I[t]  = W_int x[t]                          (binary spikes: additions only)
    I[t]  = (W_int p[t]) >> f_in                (first layer, input p = round(x 2^f_in))
    v     = v - ((k_int (v - v_leak)) >> 16)    (floor shift, v_leak = 0)
    v     = sat16(v + I[t] + b_int)
    s[t]  = v > theta_int;   v = 0 where s[t]   (LIF; the LI readout has no threshold)

The logits are the output spike counts (``spikes`` readout) or the summed readout membrane.
The quantisation-aware forward pass of ``SpikingMLPClassifier`` computes exactly these numbers on a float grid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sc_neurocore.models.fixed_point import fixed_lif_multistep

from .quant import QuantSpec, frac_bits_for, quantise_leak, quantise_weight

__all__ = ["FixedLayer", "FixedMLP"]


@dataclass(frozen=True)
class FixedLayer:
    """Integer parameters of one ``Affine -> LIF/LI`` pair."""

    weight: np.ndarray      # (n_out, n_in) int64, within the signed weight range
    bias: np.ndarray        # (n_out,) int64 on the membrane grid
    leak: np.ndarray        # (n_out,) int64, k_int = round(dt/tau 2^16)
    threshold: np.ndarray | None  # (n_out,) int64; None for the LI readout
    frac_bits: int          # f: the layer's grid is 2^-f


@dataclass(frozen=True)
class FixedMLP:
    """The integer twin of a ``SpikingMLPClassifier``; ``run`` returns integer logits."""

    layers: tuple[FixedLayer, ...]
    spec: QuantSpec
    input_frac_bits: int | None

    @classmethod
    def from_model(cls, model, spec: QuantSpec = QuantSpec(),
                   input_frac_bits: int | None = None) -> "FixedMLP":
        """Quantise the float parameters of ``model`` (a :class:`sc_neurocore.training.SpikingMLPClassifier`)
        to the hardware formats."""
        layers = []
        for linear, neuron in zip(model.linears, model.neurons):
            w = linear.weight.value
            f = frac_bits_for(w, spec)
            b = np.zeros(w.shape[0]) if linear.bias is None else linear.bias.value
            saved, neuron.quant = neuron.quant, None  # float leak and threshold, rounded here
            k, theta = neuron.leak(), neuron.theta() if hasattr(neuron, "theta") else None  # LI: no threshold
            neuron.quant = saved
            layers.append(FixedLayer(
                weight=quantise_weight(w, f, spec),
                bias=np.round(b.astype(np.float64) * 2.0**f).astype(np.int64),
                leak=quantise_leak(k, spec),
                threshold=None if theta is None else np.round(theta.astype(np.float64) * 2.0**f).astype(np.int64),
                frac_bits=f,
            ))
        return cls(tuple(layers), spec, input_frac_bits)

    def run(self, x: np.ndarray) -> np.ndarray:
        """``(T, B, n_in)`` encoded input -> ``(B, n_out)`` integer logits."""
        if self.input_frac_bits is None:
            signal = x.astype(np.int64)
        else:
            signal = np.round(x.astype(np.float64) * 2.0**self.input_frac_bits).astype(np.int64)
        for i, layer in enumerate(self.layers):
            current = signal @ layer.weight.T
            if i == 0 and self.input_frac_bits is not None:
                current >>= self.input_frac_bits  # arithmetic shift: floor
            signal, _ = fixed_lif_multistep(current + layer.bias, layer.leak, layer.threshold,
                                            leak_bits=self.spec.leak_bits, state_bits=self.spec.state_bits)
        return signal.sum(axis=0)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Predicted classes (first maximum on ties, like the float model)."""
        return self.run(x).argmax(axis=1)
