"""Parameters and modules with hand-written backward passes.

Every module maps a whole time sequence at once, ``(T, B, ...) -> (T, B, ...)``: ``forward`` keeps
what ``backward`` needs, ``backward(dL/dy)`` adds ``dL/dparam`` into each ``Parameter.grad`` and
returns ``dL/dx``. A module instance is used once per forward pass.
"""

from __future__ import annotations

import numpy as np

from sc_neurocore.errors import InputError

__all__ = ["Parameter", "Module", "Sequential"]


class Parameter:
    """A trainable array and the gradient accumulated for it."""

    __slots__ = ("value", "grad")

    def __init__(self, value: np.ndarray):
        self.value = value
        self.grad = np.zeros_like(value)


class Module:
    """Base class: finds parameters and sub-modules among the attributes, in definition order."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    def named_parameters(self, prefix: str = "") -> dict[str, Parameter]:
        """All parameters by dotted path, e.g. ``layers.0.weight``."""
        found: dict[str, Parameter] = {}
        for name, value in vars(self).items():
            if isinstance(value, Parameter):
                found[prefix + name] = value
            elif isinstance(value, Module):
                found.update(value.named_parameters(f"{prefix}{name}."))
            elif isinstance(value, (list, tuple)):
                for i, item in enumerate(value):
                    if isinstance(item, Module):
                        found.update(item.named_parameters(f"{prefix}{name}.{i}."))
        return found

    def parameters(self) -> list[Parameter]:
        return list(self.named_parameters().values())

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad[...] = 0

    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of the parameter values, keyed by dotted path."""
        return {name: p.value.copy() for name, p in self.named_parameters().items()}

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        """Set parameter values; the keys and shapes must match exactly."""
        params = self.named_parameters()
        if set(params) != set(state):
            missing, extra = sorted(set(params) - set(state)), sorted(set(state) - set(params))
            raise InputError(f"state does not fit the model: missing {missing}, unexpected {extra}")
        for name, p in params.items():
            value = np.asarray(state[name])
            if value.shape != p.value.shape:
                raise InputError(f"state '{name}' has shape {value.shape}, the model needs {p.value.shape}")
            p.value[...] = value


class Sequential(Module):
    """Modules applied one after another; the backward pass runs them in reverse."""

    def __init__(self, *layers: Module):
        self.layers = list(layers)

    def forward(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad: np.ndarray) -> np.ndarray:
        for layer in reversed(self.layers):
            grad = layer.backward(grad)
        return grad
