"""The trained transformer's modules as IR block ops (plain arrays, :mod:`sc_neurocore.ir.blocks`) and back.

An op keeps what the forward pass uses: each projection's effective weight ``(out, in)`` and bias, and
each neuron's ``tau = 1 / k`` (steps) and threshold, as :func:`lif_arrays` writes a NIR LIF. Rebuilding
a module from its op gives the same float32 parameters, hence the same outputs bit for bit.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sc_neurocore.errors import ModelError, UnsupportedError
from sc_neurocore.ir import blocks as ops

from .modules.attention import TrainableSpikformerSSA
from .modules.attention_variants import TrainableA2OS2A, TrainableSDSA
from .modules.layers import AddPosition
from .modules.module import Module

__all__ = ["lif_arrays", "shared_tau", "restore_thresholds", "attention_op", "attention_module",
           "position_op", "position_module"]

class _Attention(NamedTuple):
    """How a trained attention module maps onto its op: the op's projection names -> the module's
    attributes, its neuron attributes (the same names in the op) and the hyper-parameters both share."""

    module: type
    projections: dict[str, str]
    neurons: tuple[str, ...]
    hyper: tuple[str, ...]


_ATTENTIONS = {
    ops.TrainedAttentionOp: _Attention(TrainableSpikformerSSA, {"q": "W_q", "k": "W_k", "v": "W_v", "out": "W_out"},
                                       ("q_lif", "k_lif", "v_lif", "attn_lif", "out_lif"), ("num_heads", "scale")),
    ops.TrainedChannelAttentionOp: _Attention(TrainableSDSA, {"q": "W_q", "k": "W_k", "v": "W_v", "proj": "W_proj"},
                                              ("q_lif", "k_lif", "v_lif", "kv_lif"), ()),
    ops.TrainedAdditionAttentionOp: _Attention(TrainableA2OS2A, {"q": "W_q", "k": "W_k", "v": "W_v", "out": "W_out"},
                                               ("q_lif", "v_lif", "attn_lif", "out_lif"), ("num_heads", "scale")),
}
_OP_OF_MODULE = {entry.module: op for op, entry in _ATTENTIONS.items()}

def lif_arrays(lif) -> dict[str, np.ndarray]:
    """A :class:`~sc_neurocore.training.modules.neurons.TrainableLIF` (``u = (1 - k) v + I``, dt = 1) as NIR LIF
    arrays: ``tau = 1 / k``, ``r = tau`` (NIR's Euler step then adds exactly ``I``), per-neuron thresholds."""
    k = lif.leak().astype(np.float64)
    if lif.dt != 1.0 or np.any(k <= 0):
        raise UnsupportedError("only leaky trained neurons with dt = 1 have a NIR form here")
    tau = 1.0 / k
    zeros = np.zeros_like(k)
    return {"tau": tau, "r": tau.copy(), "v_leak": zeros, "v_threshold": lif.theta().astype(np.float64),
            "v_reset": zeros.copy()}


def shared_tau(taus: dict[str, np.ndarray]) -> float:
    """The one time constant (in steps) of the neurons ``taus`` names: the trained models build every
    neuron with the same tau, and ``1 / (1 / k)`` rounds back to the same float32 ``k``."""
    values = set()
    for name, tau in taus.items():
        tau = np.asarray(tau, np.float64).ravel()
        if tau.size == 0 or np.any(tau != tau[0]):
            raise ModelError(f"{name} tau must be one value repeated (the neuron has a single tau)")
        values.add(float(tau[0]))
    if len(values) != 1:
        raise ModelError(f"{', '.join(taus)} must share one tau")
    return values.pop()


def restore_thresholds(lif, theta: np.ndarray, what: str) -> None:
    """Set a trained LIF's learnt per-neuron thresholds."""
    theta = np.asarray(theta)
    if lif.threshold is None or theta.shape != lif.threshold.value.shape:
        raise ModelError(f"{what}: {theta.shape} thresholds do not fit the model's neurons")
    lif.threshold.value[...] = theta


def attention_op(module: Module) -> ops.TrainedAttention:
    """The block op of a trained attention module (its learnt thresholds are part of it)."""
    op_class = _OP_OF_MODULE.get(type(module))
    if op_class is None:
        raise UnsupportedError(f"{type(module).__name__} has no block op; trained attention modules that do: "
                               f"{', '.join(cls.__name__ for cls in _OP_OF_MODULE)}")
    _, projections, neurons, hyper = _ATTENTIONS[op_class]
    if any(getattr(module, name).threshold is None for name in neurons):
        raise UnsupportedError(f"export of the trained {op_class.KIND} attention needs learn_threshold=True")
    weights, biases = {}, {}
    for name, attribute in projections.items():
        weights[name], bias = getattr(module, attribute).effective()
        if bias is not None:
            biases[name] = bias
    lifs = {name: lif_arrays(getattr(module, name)) for name in neurons}
    return op_class(weights, biases, {name: lif["tau"] for name, lif in lifs.items()},
                    {name: lif["v_threshold"] for name, lif in lifs.items()},
                    **{name: getattr(module, name) for name in hyper})


def attention_module(op: ops.TrainedAttention, name: str) -> Module:
    """The trained attention module of the op ``name`` (float32 as stored)."""
    cls, projections, neurons, hyper = _ATTENTIONS[type(op)]
    if set(op.taus) != set(neurons):
        raise ModelError(f"{name}: neurons {sorted(op.taus)}, a {op.KIND} op has {sorted(neurons)}")
    try:
        tau = shared_tau(op.taus)
    except ModelError as error:
        raise ModelError(f"{name}: {error}") from None
    weight_q = op.weights["q"]
    module = cls(weight_q.shape[1], rng=np.random.default_rng(0), tau=tau, learn_threshold=True,
                 dtype=weight_q.dtype, **{key: getattr(op, key) for key in hyper})
    for node, attribute in projections.items():
        state = {"weight": op.weights[node]}
        if node in op.biases:
            state["bias"] = op.biases[node]
        getattr(module, attribute).load_state_dict(state)
    for neuron in neurons:
        restore_thresholds(getattr(module, neuron), op.thresholds[neuron], f"{name} {neuron}")
    return module


def position_op(position: AddPosition) -> ops.TrainedPositionOp:
    """The block op of the model's fixed position currents."""
    return ops.TrainedPositionOp(position.code.copy())


def position_module(op: ops.TrainedPositionOp) -> AddPosition:
    """The position layer of a ``trained_position`` op."""
    return AddPosition(op.code, dtype=op.code.dtype)
