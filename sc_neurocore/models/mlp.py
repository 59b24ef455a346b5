"""The spiking MLP of a transformer block: a chain of affine maps, each followed by spiking neurons.

Over time-major input ``x [T, ..., D]``::

    s_0 = x;   s_i = neuron_i(affine_i(s_{i-1}))      i = 1 .. L

:func:`spiking_mlp` is that chain for any affine maps and neurons: the inference block
(:class:`sc_neurocore.transformers.SpikingMLP`, batch-norm folded into the weights and SpikingJelly
neurons) and the trainable transformer block (:mod:`sc_neurocore.training.modules.transformer`, biased
affine maps and training LIFs) call it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

__all__ = ["spiking_mlp"]


def spiking_mlp(x: np.ndarray, layers: Sequence[tuple[Callable, Callable]]) -> list[np.ndarray]:
    """The outputs ``[s_1, ..., s_L]`` of every layer for ``layers`` of ``(affine, neuron)`` callables."""
    outputs = []
    for affine, neuron in layers:
        x = neuron(affine(x))
        outputs.append(x)
    return outputs
