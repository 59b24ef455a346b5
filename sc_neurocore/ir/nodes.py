"""Typed IR nodes: one dataclass per operation, NumPy fields with physical parameter names.

Continuous-time parameters (tau in seconds) stay continuous here; discretisation with an explicit
`dt` happens when a network is lowered for execution.
"""

from dataclasses import dataclass, fields

import numpy as np

from sc_neurocore.ir.shapes import conv_output_size, resolve_padding

__all__ = [
    "Node",
    "Neuron",
    "Input",
    "Output",
    "Affine",
    "Linear",
    "Scale",
    "Threshold",
    "Flatten",
    "Delay",
    "Conv1d",
    "Conv2d",
    "SumPool2d",
    "AvgPool2d",
    "I",
    "IF",
    "LI",
    "LIF",
    "CubaLI",
    "CubaLIF",
    "NEURON_TYPES",
    "SYNAPSE_TYPES",
]


@dataclass(eq=False)
class Node:
    """Base of every IR node; `shape_in`/`shape_out` are the flat tensor shapes it takes and gives."""

    def arrays(self) -> dict[str, np.ndarray]:
        """The node's parameter arrays by name (for validation and export)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if isinstance(getattr(self, f.name), np.ndarray)}

    @property
    def shape_in(self) -> tuple[int, ...]:
        raise NotImplementedError

    @property
    def shape_out(self) -> tuple[int, ...]:
        return self.shape_in


@dataclass(eq=False)
class Input(Node):
    shape: tuple[int, ...]

    @property
    def shape_in(self):
        return tuple(self.shape)


@dataclass(eq=False)
class Output(Node):
    shape: tuple[int, ...]

    @property
    def shape_in(self):
        return tuple(self.shape)


@dataclass(eq=False)
class Affine(Node):
    """y = W x + b, W shaped (out, in)."""

    weight: np.ndarray
    bias: np.ndarray

    @property
    def shape_in(self):
        return (self.weight.shape[1],)

    @property
    def shape_out(self):
        return (self.weight.shape[0],)


@dataclass(eq=False)
class Linear(Node):
    """y = W x, W shaped (out, in)."""

    weight: np.ndarray

    @property
    def shape_in(self):
        return (self.weight.shape[1],)

    @property
    def shape_out(self):
        return (self.weight.shape[0],)


@dataclass(eq=False)
class Scale(Node):
    """y = s * x, elementwise."""

    scale: np.ndarray

    @property
    def shape_in(self):
        return tuple(self.scale.shape)


@dataclass(eq=False)
class Flatten(Node):
    """Reshape to one dimension between start_dim and end_dim (NIR semantics, batch not counted)."""

    input_shape: tuple[int, ...]
    start_dim: int = 0
    end_dim: int = -1

    @property
    def shape_in(self):
        return tuple(self.input_shape)

    @property
    def shape_out(self):
        shape = list(self.input_shape)
        start, end = self.start_dim % len(shape), self.end_dim % len(shape)
        merged = int(np.prod(shape[start : end + 1]))
        return tuple(shape[:start] + [merged] + shape[end + 1 :])


@dataclass(eq=False)
class Delay(Node):
    """y(t) = x(t - delay), delay in seconds per element."""

    delay: np.ndarray

    @property
    def shape_in(self):
        return tuple(self.delay.shape)


def _conv_shape_out(node, kernel) -> tuple[int, ...]:
    pads = resolve_padding(node.padding, kernel, node.dilation, node.stride, "convolution")
    spatial = [
        conv_output_size(n, p, k, d, s)
        for n, p, k, d, s in zip(node.input_shape, pads, kernel, node.dilation, node.stride)
    ]
    return tuple(spatial)


@dataclass(eq=False)
class Conv1d(Node):
    """y[o, i] = b[o] + sum_{c,u} W[o, c, u] x[g(o) C_g + c, i*stride + u*dilation - pad_before].

    weight (C_out, C_in/groups, K); input_shape is the spatial size (L,) as in NIR; padding an int
    tuple or 'same'/'valid'.
    """

    input_shape: tuple[int]
    weight: np.ndarray
    bias: np.ndarray
    stride: tuple[int] = (1,)
    padding: tuple[int] | str = (0,)
    dilation: tuple[int] = (1,)
    groups: int = 1

    @property
    def shape_in(self):
        return (self.weight.shape[1] * self.groups, *self.input_shape)

    @property
    def shape_out(self):
        return (self.weight.shape[0], *_conv_shape_out(self, self.weight.shape[2:]))


@dataclass(eq=False)
class Conv2d(Conv1d):
    """Conv1d in two spatial dimensions: weight (C_out, C_in/groups, k_h, k_w), input_shape (H, W)."""

    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, int] | str = (0, 0)
    dilation: tuple[int, int] = (1, 1)


@dataclass(eq=False)
class SumPool2d(Node):
    """y[c, i, j] = sum_{u<k_h, v<k_w} xpad[c, i*s_h + u, j*s_w + v]; input_shape (C, H, W).

    NIR stores no input shape for pooling: the reader infers it from the predecessor.
    """

    input_shape: tuple[int, int, int]
    kernel_size: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int] = (0, 0)

    @property
    def shape_in(self):
        return tuple(self.input_shape)

    @property
    def shape_out(self):
        c, h, w = self.input_shape
        sizes = [
            (n + 2 * p - k) // s + 1 for n, p, k, s in zip((h, w), self.padding, self.kernel_size, self.stride)
        ]
        return (c, *sizes)


@dataclass(eq=False)
class AvgPool2d(SumPool2d):
    """SumPool2d divided by k_h * k_w (zero padding counted, PyTorch's default)."""


@dataclass(eq=False)
class Neuron(Node):
    """Base of the neuron nodes: a population shaped like its parameter arrays (the one `SHAPE_FROM` names)."""

    SHAPE_FROM = ""

    @property
    def shape_in(self):
        return tuple(getattr(self, self.SHAPE_FROM).shape)


@dataclass(eq=False)
class Threshold(Neuron):
    """z = H(x - threshold), stateless."""

    SHAPE_FROM = "threshold"

    threshold: np.ndarray


@dataclass(eq=False)
class I(Neuron):  # noqa: E742 - the NIR name
    """Integrator: dv/dt = R I, integrated per step as v += R I (as the NIR frameworks do)."""

    SHAPE_FROM = "r"

    r: np.ndarray


@dataclass(eq=False)
class IF(Neuron):
    """Integrate-and-fire: v += R I; z = v > v_threshold; v <- v_reset where z."""

    SHAPE_FROM = "r"

    r: np.ndarray
    v_threshold: np.ndarray
    v_reset: np.ndarray


@dataclass(eq=False)
class LI(Neuron):
    """Leaky integrator: tau dv/dt = (v_leak - v) + R I."""

    SHAPE_FROM = "tau"

    tau: np.ndarray
    r: np.ndarray
    v_leak: np.ndarray


@dataclass(eq=False)
class LIF(Neuron):
    """Leaky integrate-and-fire: tau dv/dt = (v_leak - v) + R I; z = v > v_threshold; v <- v_reset."""

    SHAPE_FROM = "tau"

    tau: np.ndarray
    r: np.ndarray
    v_leak: np.ndarray
    v_threshold: np.ndarray
    v_reset: np.ndarray


@dataclass(eq=False)
class CubaLI(Neuron):
    """Current-based leaky integrator: tau_syn dI/dt = -I + w_in S; tau_mem dv/dt = (v_leak - v) + R I."""

    SHAPE_FROM = "tau_mem"

    tau_syn: np.ndarray
    tau_mem: np.ndarray
    r: np.ndarray
    v_leak: np.ndarray
    w_in: np.ndarray


@dataclass(eq=False)
class CubaLIF(Neuron):
    """CubaLI with a threshold: z = v > v_threshold; v <- v_reset where z."""

    SHAPE_FROM = "tau_mem"

    tau_syn: np.ndarray
    tau_mem: np.ndarray
    r: np.ndarray
    v_leak: np.ndarray
    v_threshold: np.ndarray
    v_reset: np.ndarray
    w_in: np.ndarray


NEURON_TYPES = (Threshold, I, IF, LI, LIF, CubaLI, CubaLIF)
SYNAPSE_TYPES = (Affine, Linear, Scale, Flatten, Conv1d, Conv2d, SumPool2d, AvgPool2d)
