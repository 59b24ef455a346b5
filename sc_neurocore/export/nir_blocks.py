"""Block ops as NIR subgraphs of standard nodes, tagged in metadata, and back (exactly).

A block op (:mod:`sc_neurocore.ir.blocks`) becomes a ``nir.NIRGraph`` whose nodes carry its arrays
(Linear for projections, Affine ``diag(a), b`` for a folded batch-norm, LIF/IF for its neurons with
their taus and thresholds, Scale for diagonal terms) and whose metadata holds
``{"sc_neurocore_op": kind, "version": 1, ...hyper-parameters}``. Edges follow the dataflow as far as
standard nodes can (Q, K and V feed the attention neuron, which feeds the output projection), so a
plain ``nir.read`` type-checks and loads the file; only :func:`decode_block` knows the op's
semantics. Neurons of the transformer ops count time in steps (``dt = 1``, recorded as ``"dt"``).

Batch-norm is stored folded, as the op computes it (``a = gamma / sqrt(var + eps)``,
``b = beta - mean a``): the decoder restores ``BatchNorm(gamma=a, beta=b, mean=0, var=1, eps=0)``,
whose fold gives the same ``a`` and ``b`` bit for bit, hence the same forward pass.
"""

from __future__ import annotations

import numpy as np

from sc_neurocore.errors import InputError, ModelError, UnsupportedError
from sc_neurocore.limits import limit
from sc_neurocore.ir import blocks as ops

__all__ = ["OP_KEY", "FORMAT_VERSION", "encode_block", "decode_block", "block_kind"]

OP_KEY = "sc_neurocore_op"
FORMAT_VERSION = 1


# --- standard-node helpers ---------------------------------------------------------------------

def _ends(width_in: int, width_out: int) -> dict:
    import nir

    return {"input": nir.Input({"input": np.array([width_in])}),
            "output": nir.Output({"output": np.array([width_out])})}


def _linear(weight_in_out: np.ndarray):
    """``y = x @ W`` (``W (in, out)``, the transformers' convention) as NIR's ``Linear (out, in)``."""
    import nir

    return nir.Linear(weight=np.ascontiguousarray(np.asarray(weight_in_out).T))


def _bn_linear_nodes(prefix: str, layer) -> dict:
    """A :class:`BNLinear`: its weight, then its folded batch-norm as ``Affine(diag(a), b)``."""
    import nir

    scale, shift = layer.bn.fold()
    return {prefix: _linear(layer.weight), f"{prefix}_bn": nir.Affine(weight=np.diag(scale), bias=shift)}


def _lif(size: int, tau: float, v_threshold: float):
    """SpikingJelly's ``h = v + (x - v) / tau`` is NIR's LIF Euler step at dt = 1 with r = 1."""
    import nir

    return nir.LIF(tau=np.full(size, tau), r=np.ones(size), v_leak=np.zeros(size),
                   v_threshold=np.full(size, v_threshold), v_reset=np.zeros(size))


def _spiking_linear_nodes(prefix: str, layer) -> dict:
    return {**_bn_linear_nodes(prefix, layer), f"{prefix}_lif": _lif(layer.out_dim, layer.tau, layer.v_threshold)}


def _chain(*names: str) -> list[tuple[str, str]]:
    return list(zip(names[:-1], names[1:]))


def _scalar(array, what: str) -> float:
    values = np.asarray(array, dtype=np.float64).ravel()
    if values.size == 0 or np.any(values != values[0]):
        raise ModelError(f"{what} must be one value repeated (the op has a single {what})")
    return float(values[0])


def _weight(node) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(node.weight).T)


def _set_bn_linear(layer, weight: np.ndarray, diag: np.ndarray, bias: np.ndarray, what: str) -> None:
    """Give a :class:`BNLinear` its weight ``(in, out)`` and the folded batch-norm ``diag(a), b``."""
    from sc_neurocore.transformers.layers import BatchNorm

    scale = np.diag(diag).copy()
    if weight.shape != (layer.in_dim, layer.out_dim):
        raise ModelError(f"{what} has weight {weight.T.shape}, expected {(layer.out_dim, layer.in_dim)}")
    if diag.shape != (layer.out_dim,) * 2 or np.any(diag - np.diag(scale) != 0):
        raise ModelError(f"{what}_bn must be a diagonal Affine of size {layer.out_dim}")
    layer.weight = weight
    layer.bn = BatchNorm(layer.out_dim, eps=0.0, gamma=scale, beta=np.asarray(bias, np.float64))


def _restore_bn_linear(layer, nodes: dict, prefix: str) -> None:
    bn = nodes[f"{prefix}_bn"]
    _set_bn_linear(layer, _weight(nodes[prefix]), np.asarray(bn.weight, np.float64), bn.bias, prefix)


def _restore_spiking_linear(layer, nodes: dict, prefix: str) -> None:
    _restore_bn_linear(layer, nodes, prefix)
    lif = nodes[f"{prefix}_lif"]
    layer.tau = _scalar(lif.tau, f"{prefix}_lif tau")
    layer.v_threshold = _scalar(lif.v_threshold, f"{prefix}_lif v_threshold")


# --- the seed ops ----------------------------------------------------------------------------------

def _encode_seed_attention(block: ops.SpikeDrivenAttentionOp):
    import nir

    op, d = block.op, block.op.embed_dim
    nodes = _ends(d, d)
    for name, weight in (("q", op.W_q), ("k", op.W_k), ("v", op.W_v)):
        nodes[name] = _linear(weight)
        # IF fed drive / T for T steps, reset by subtraction
        nodes[f"{name}_if"] = nir.IF(r=np.full(d, 1.0 / op.T), v_threshold=np.full(d, op.threshold),
                                     v_reset=np.zeros(d))
    nodes["out"] = _linear(op.W_out)
    edges = [e for name in "qkv" for e in _chain("input", name, f"{name}_if", "out")] + [("out", "output")]
    return nodes, edges, {"num_heads": op.num_heads, "T": op.T, "seed": op.seed, "reset": "subtract"}


def _decode_seed_attention(nodes, meta):
    from sc_neurocore.transformers.spikformer import SpikeDrivenAttention

    weights = {name: _weight(nodes[name]) for name in ("q", "k", "v", "out")}
    threshold = _scalar(nodes["q_if"].v_threshold, "q_if v_threshold")
    op = SpikeDrivenAttention(weights["q"].shape[0], int(meta["num_heads"]), int(meta["T"]), threshold,
                              int(meta["seed"]))
    op.W_q, op.W_k, op.W_v, op.W_out = (weights[name] for name in ("q", "k", "v", "out"))
    return ops.SpikeDrivenAttentionOp(op)


def _encode_ssa(block: ops.SpikformerSSAOp):
    import nir

    op, d = block.op, block.op.dim
    nodes = _ends(d, d)
    qkv_scale, qkv_shift = op.qkv.bn.fold()
    for i, name in enumerate("qkv"):  # the qkv layer's output channels are [q | k | v]
        part = slice(i * d, (i + 1) * d)
        nodes[name] = _linear(op.qkv.weight[:, part])
        nodes[f"{name}_bn"] = nir.Affine(weight=np.diag(qkv_scale[part]), bias=qkv_shift[part])
        nodes[f"{name}_lif"] = _lif(d, op.qkv.tau, op.qkv.v_threshold)
    nodes["attn_scale"] = nir.Scale(scale=np.full(d, op.scale))
    nodes["attn_lif"] = _lif(d, op.tau, op.attn_v_threshold)
    nodes.update(_spiking_linear_nodes("proj", op.proj))
    edges = [e for name in "qkv" for e in _chain("input", name, f"{name}_bn", f"{name}_lif", "attn_scale")]
    edges += _chain("attn_scale", "attn_lif", "proj", "proj_bn", "proj_lif", "output")
    return nodes, edges, {"num_heads": op.num_heads}


def _decode_ssa(nodes, meta):
    from sc_neurocore.transformers.ssa import SpikformerSSA

    d = _weight(nodes["q"]).shape[0]
    q_lif = nodes["q_lif"]
    op = SpikformerSSA(
        d, int(meta["num_heads"]), scale=_scalar(nodes["attn_scale"].scale, "attn_scale"),
        tau=_scalar(nodes["attn_lif"].tau, "attn_lif tau"), v_threshold=_scalar(q_lif.v_threshold, "q_lif v_threshold"),
        attn_v_threshold=_scalar(nodes["attn_lif"].v_threshold, "attn_lif v_threshold"),
    )
    # one qkv layer: its weight columns and batch-norm channels are the [q | k | v] blocks
    _set_bn_linear(
        op.qkv, np.concatenate([_weight(nodes[n]) for n in "qkv"], axis=1),
        _block_diag([np.asarray(nodes[f"{n}_bn"].weight, np.float64) for n in "qkv"]),
        np.concatenate([np.asarray(nodes[f"{n}_bn"].bias) for n in "qkv"]), "qkv",
    )
    taus = {_scalar(nodes[f"{n}_lif"].tau, f"{n}_lif tau") for n in "qkv"}
    thresholds = {_scalar(nodes[f"{n}_lif"].v_threshold, f"{n}_lif v_threshold") for n in "qkv"}
    if len(taus) != 1 or len(thresholds) != 1:
        raise ModelError("q_lif, k_lif and v_lif must share tau and v_threshold (one qkv layer)")
    op.qkv.tau, op.qkv.v_threshold = taus.pop(), thresholds.pop()
    _restore_spiking_linear(op.proj, nodes, "proj")
    return ops.SpikformerSSAOp(op)


def _block_diag(diagonals: list[np.ndarray]) -> np.ndarray:
    size = sum(d.shape[0] for d in diagonals)
    out = np.zeros((size, size))
    start = 0
    for d in diagonals:
        out[start : start + d.shape[0], start : start + d.shape[0]] = d
        start += d.shape[0]
    return out


def _encode_sdsa(block: ops.SpikeDrivenSelfAttentionOp):
    op, d = block.op, block.op.dim
    nodes = _ends(d, d)
    for name in "qkv":
        nodes.update(_spiking_linear_nodes(name, getattr(op, name)))
    nodes["kv_lif"] = _lif(d, op.tau, op.kv_v_threshold)
    nodes.update(_bn_linear_nodes("proj", op.proj))
    edges = [e for name in "qkv" for e in _chain("input", name, f"{name}_bn", f"{name}_lif", "kv_lif")]
    edges += _chain("kv_lif", "proj", "proj_bn", "output")
    return nodes, edges, {}


def _decode_sdsa(nodes, meta):
    from sc_neurocore.transformers.sdsa import SpikeDrivenSelfAttention

    d = _weight(nodes["q"]).shape[0]
    kv = nodes["kv_lif"]
    op = SpikeDrivenSelfAttention(
        d, tau=_scalar(kv.tau, "kv_lif tau"), v_threshold=_scalar(nodes["q_lif"].v_threshold, "q_lif v_threshold"),
        kv_v_threshold=_scalar(kv.v_threshold, "kv_lif v_threshold"),
    )
    for name in "qkv":
        _restore_spiking_linear(getattr(op, name), nodes, name)
    _restore_bn_linear(op.proj, nodes, "proj")
    return ops.SpikeDrivenSelfAttentionOp(op)


def _encode_a2os2a(block: ops.AdditionOnlyAttentionOp):
    op, d = block.op, block.op.dim
    nodes = _ends(d, d)
    nodes.update(_spiking_linear_nodes("q", op.q))
    nodes.update(_bn_linear_nodes("k", op.k))  # K = ReLU(BN(x W_k)): NIR has no ReLU, the kind implies it
    nodes.update(_bn_linear_nodes("v", op.v))
    nodes["v_lif"] = _lif(d, op.tau, op.v_threshold)  # ternary: fires -1 at h <= -v_th too
    nodes["attn_lif"] = _lif(d, op.tau, op.attn_v_threshold)
    nodes.update(_spiking_linear_nodes("proj", op.proj))
    edges = _chain("input", "q", "q_bn", "q_lif", "attn_lif") + _chain("input", "k", "k_bn", "attn_lif")
    edges += _chain("input", "v", "v_bn", "v_lif", "attn_lif")
    edges += _chain("attn_lif", "proj", "proj_bn", "proj_lif", "output")
    return nodes, edges, {"num_heads": op.num_heads, "k_activation": "relu", "v_neuron": "ternary"}


def _decode_a2os2a(nodes, meta):
    from sc_neurocore.transformers.a2os2a import AdditionOnlyAttention

    d = _weight(nodes["q"]).shape[0]
    v_lif, attn = nodes["v_lif"], nodes["attn_lif"]
    op = AdditionOnlyAttention(
        d, int(meta["num_heads"]), tau=_scalar(v_lif.tau, "v_lif tau"),
        v_threshold=_scalar(v_lif.v_threshold, "v_lif v_threshold"),
        attn_v_threshold=_scalar(attn.v_threshold, "attn_lif v_threshold"),
    )
    if _scalar(attn.tau, "attn_lif tau") != op.tau:
        raise ModelError("attn_lif and v_lif must share tau (the op has one)")
    _restore_spiking_linear(op.q, nodes, "q")
    _restore_bn_linear(op.k, nodes, "k")
    _restore_bn_linear(op.v, nodes, "v")
    _restore_spiking_linear(op.proj, nodes, "proj")
    return ops.AdditionOnlyAttentionOp(op)


def _encode_ssm(block: ops.SpikyStateSpaceOp):
    import nir

    op = block.op
    nodes = _ends(op.d_model, op.d_model)
    nodes["B"] = nir.Linear(weight=np.asarray(op.B))  # (d_state, d_model): already NIR's (out, in)
    nodes["A"] = nir.Scale(scale=np.asarray(op.A))  # continuous diagonal h' = A h + B x (complex for S4D-Lin)
    nodes["C"] = nir.Linear(weight=np.asarray(op.C))
    nodes["gate"] = nir.IF(r=np.ones(op.d_model), v_threshold=np.full(op.d_model, op.threshold),
                           v_reset=np.zeros(op.d_model))
    edges = _chain("input", "B", "A", "C", "gate", "output")
    return nodes, edges, {"dt": float(op.dt), "init": op.init, "seed": int(op.seed), "discretisation": "zoh",
                          "reset": "subtract"}


def _decode_ssm(nodes, meta):
    from sc_neurocore.transformers.ssm import SpikyStateSpace

    a, b, c = np.asarray(nodes["A"].scale), np.asarray(nodes["B"].weight), np.asarray(nodes["C"].weight)
    if b.ndim != 2 or c.shape != (b.shape[1], b.shape[0]) or a.shape != (b.shape[0],):
        raise ModelError(f"A {a.shape}, B {b.shape} and C {c.shape} do not fit (d_state,), (d_state, d_model) "
                         f"and (d_model, d_state)")
    threshold = _scalar(nodes["gate"].v_threshold, "gate v_threshold")
    op = SpikyStateSpace(b.shape[1], b.shape[0], threshold, float(meta["dt"]), str(meta["init"]), int(meta["seed"]))
    op.A, op.B, op.C = a.copy(), b.copy(), c.copy()
    return ops.SpikyStateSpaceOp(op)


_CPG_FIELDS = ("max_len", "mode", "oscillators", "coupling", "burn_in", "seed")


def _add_code_nodes(width: int) -> tuple[dict, list]:
    """``y = x + code[token]``: an identity Affine stands for the addition (the code is per token,
    which no standard node can index; it travels in the metadata)."""
    import nir

    nodes = _ends(width, width)
    nodes["add_code"] = nir.Affine(weight=np.eye(width), bias=np.zeros(width))
    return nodes, _chain("input", "add_code", "output")


def _encode_cpg(block: ops.CPGEncoderOp):
    op = block.op
    nodes, edges = _add_code_nodes(op.d_model)
    meta = {name: getattr(op, name) for name in _CPG_FIELDS}
    meta["table"] = op.encode(op.max_len)  # what the op adds, for readers without our code
    return nodes, edges, meta


def _decode_cpg(nodes, meta):
    from sc_neurocore.transformers.cpg import CPGPositionalEncoding

    width = np.asarray(nodes["add_code"].weight).shape[0]
    op = CPGPositionalEncoding(
        width, int(meta["max_len"]), str(meta["mode"]), int(meta["oscillators"]), float(meta["coupling"]),
        int(meta["burn_in"]), int(meta["seed"]),
    )
    if not np.array_equal(op.encode(op.max_len), np.asarray(meta["table"])):
        raise ModelError("the stored position table differs from the one its parameters give "
                         "(written by a different CPG implementation)")
    return ops.CPGEncoderOp(op)


# --- the trained transformer's ops -----------------------------------------------------------------

def trained_lif_arrays(lif) -> dict[str, np.ndarray]:
    """A :class:`sc_neurocore.training.neurons.TrainableLIF` (``u = (1 - k) v + I``, dt = 1) as NIR LIF arrays:
    ``tau = 1 / k``, ``r = tau`` (NIR's Euler step then adds exactly ``I``), per-neuron thresholds."""
    k = lif.leak().astype(np.float64)
    if lif.dt != 1.0 or np.any(k <= 0):
        raise UnsupportedError("only leaky trained neurons with dt = 1 have a NIR form here")
    tau = 1.0 / k
    zeros = np.zeros_like(k)
    return {"tau": tau, "r": tau.copy(), "v_leak": zeros, "v_threshold": lif.theta().astype(np.float64),
            "v_reset": zeros.copy()}


def trained_tau(nodes: dict, names) -> float:
    """The one time constant (in steps) of the trained LIF nodes ``names``: the trained models build
    every neuron with the same tau, and ``1 / (1 / k)`` rounds back to the same float32 ``k``."""
    taus = {_scalar(nodes[name].tau, f"{name} tau") for name in names}
    if len(taus) != 1:
        raise ModelError(f"{', '.join(names)} must share one tau")
    return taus.pop()


def restore_thresholds(lif, node, what: str) -> None:
    """Set a trained LIF's learnt per-neuron thresholds from its NIR node."""
    theta = np.asarray(node.v_threshold)
    if lif.threshold is None or theta.shape != lif.threshold.value.shape:
        raise ModelError(f"{what}: {theta.shape} thresholds do not fit the model's neurons")
    lif.threshold.value[...] = theta


def _trained_lif_node(lif):
    import nir

    return nir.LIF(**trained_lif_arrays(lif))


def _encode_trained_attention(block: ops.TrainedAttentionOp):
    import nir

    op, d = block.op, block.op.embed_dim
    if any(lif.threshold is None for lif in (op.q_lif, op.k_lif, op.v_lif, op.attn_lif, op.out_lif)):
        raise UnsupportedError("export of the trained attention needs learn_threshold=True")
    nodes = _ends(d, d)
    for name in "qkv":
        nodes[name] = nir.Linear(weight=getattr(op, f"W_{name}").effective()[0])
        nodes[f"{name}_lif"] = _trained_lif_node(getattr(op, f"{name}_lif"))
    nodes["attn_scale"] = nir.Scale(scale=np.full(d, op.scale))
    nodes["attn_lif"] = _trained_lif_node(op.attn_lif)
    weight, bias = op.W_out.effective()
    nodes["out"] = nir.Affine(weight=weight, bias=bias)
    nodes["out_lif"] = _trained_lif_node(op.out_lif)
    edges = [e for name in "qkv" for e in _chain("input", name, f"{name}_lif", "attn_scale")]
    edges += _chain("attn_scale", "attn_lif", "out", "out_lif", "output")
    return nodes, edges, {"num_heads": op.num_heads, "dt": 1.0}


def _decode_trained_attention(nodes, meta):
    from sc_neurocore.training.attention import TrainableSpikformerSSA

    weight_q = np.asarray(nodes["q"].weight)
    lifs = ("q_lif", "k_lif", "v_lif", "attn_lif", "out_lif")
    op = TrainableSpikformerSSA(weight_q.shape[0], int(meta["num_heads"]), rng=np.random.default_rng(0),
                                tau=trained_tau(nodes, lifs), scale=_scalar(nodes["attn_scale"].scale, "attn_scale"),
                                learn_threshold=True, dtype=weight_q.dtype)
    for name in "qkv":
        getattr(op, f"W_{name}").load_state_dict({"weight": np.asarray(nodes[name].weight)})
    op.W_out.load_state_dict({"weight": np.asarray(nodes["out"].weight), "bias": np.asarray(nodes["out"].bias)})
    for name in lifs:
        restore_thresholds(getattr(op, name), nodes[name], name)
    return ops.TrainedAttentionOp(op)


def _trained_affine_node(linear):
    import nir

    weight, bias = linear.effective()
    return nir.Affine(weight=weight, bias=bias)


def _restore_trained_affine(linear, node) -> None:
    linear.load_state_dict({"weight": np.asarray(node.weight), "bias": np.asarray(node.bias)})


def _need_learnt_thresholds(lifs, kind: str) -> None:
    if any(lif.threshold is None for lif in lifs):
        raise UnsupportedError(f"export of the trained {kind} attention needs learn_threshold=True")


def _restore_trained(op, nodes, affines, lifs) -> None:
    for name, linear in affines.items():
        _restore_trained_affine(getattr(op, linear), nodes[name])
    for name in lifs:
        restore_thresholds(getattr(op, name), nodes[name], name)


_SDSA_AFFINES = {"q": "W_q", "k": "W_k", "v": "W_v", "proj": "W_proj"}
_SDSA_LIFS = ("q_lif", "k_lif", "v_lif", "kv_lif")


def _encode_trained_sdsa(block: ops.TrainedChannelAttentionOp):
    op = block.op
    _need_learnt_thresholds([getattr(op, name) for name in _SDSA_LIFS], "SDSA")
    nodes = _ends(block.width, block.width)
    nodes.update({name: _trained_affine_node(getattr(op, linear)) for name, linear in _SDSA_AFFINES.items()})
    nodes.update({name: _trained_lif_node(getattr(op, name)) for name in _SDSA_LIFS})
    # kv_lif integrates sum over tokens of K * V; proj sees Q * kv (products the kind implies)
    edges = [e for name in "qkv" for e in _chain("input", name, f"{name}_lif", "kv_lif")]
    edges += _chain("kv_lif", "proj", "output")
    return nodes, edges, {"dt": 1.0, "kv_input": "sum over tokens of k * v", "proj_input": "q * kv"}


def _decode_trained_sdsa(nodes, meta):
    from sc_neurocore.training.attention_variants import TrainableSDSA

    weight_q = np.asarray(nodes["q"].weight)
    op = TrainableSDSA(weight_q.shape[1], rng=np.random.default_rng(0), tau=trained_tau(nodes, _SDSA_LIFS),
                       learn_threshold=True, dtype=weight_q.dtype)
    _restore_trained(op, nodes, _SDSA_AFFINES, _SDSA_LIFS)
    return ops.TrainedChannelAttentionOp(op)


_A2OS2A_AFFINES = {"q": "W_q", "k": "W_k", "v": "W_v", "out": "W_out"}
_A2OS2A_LIFS = ("q_lif", "v_lif", "attn_lif", "out_lif")


def _encode_trained_a2os2a(block: ops.TrainedAdditionAttentionOp):
    import nir

    op = block.op
    _need_learnt_thresholds([getattr(op, name) for name in _A2OS2A_LIFS], "A2OS2A")
    nodes = _ends(block.width, block.width)
    nodes.update({name: _trained_affine_node(getattr(op, linear)) for name, linear in _A2OS2A_AFFINES.items()})
    nodes.update({name: _trained_lif_node(getattr(op, name)) for name in _A2OS2A_LIFS})
    nodes["attn_scale"] = nir.Scale(scale=np.full(block.width, op.scale))
    # K = ReLU(k) (NIR has no ReLU) and v_lif's ternary spikes are in the metadata; attn_scale takes Q (K^T V)
    edges = _chain("input", "q", "q_lif", "attn_scale") + _chain("input", "k", "attn_scale")
    edges += _chain("input", "v", "v_lif", "attn_scale")
    edges += _chain("attn_scale", "attn_lif", "out", "out_lif", "output")
    return nodes, edges, {"num_heads": op.num_heads, "dt": 1.0, "k_activation": "relu", "v_neuron": "ternary"}


def _decode_trained_a2os2a(nodes, meta):
    from sc_neurocore.training.attention_variants import TrainableA2OS2A

    if meta.get("k_activation") != "relu" or meta.get("v_neuron") != "ternary":
        raise ModelError("trained_a2os2a needs k_activation 'relu' and v_neuron 'ternary' in its metadata")
    weight_q = np.asarray(nodes["q"].weight)
    op = TrainableA2OS2A(weight_q.shape[1], int(meta["num_heads"]), rng=np.random.default_rng(0),
                         tau=trained_tau(nodes, _A2OS2A_LIFS), scale=_scalar(nodes["attn_scale"].scale, "attn_scale"),
                         learn_threshold=True, dtype=weight_q.dtype)
    _restore_trained(op, nodes, _A2OS2A_AFFINES, _A2OS2A_LIFS)
    return ops.TrainedAdditionAttentionOp(op)


def _encode_trained_position(block: ops.TrainedPositionOp):
    nodes, edges = _add_code_nodes(block.width)
    return nodes, edges, {"code": np.asarray(block.op.code)}


def _decode_trained_position(nodes, meta):
    from sc_neurocore.training.layers import AddPosition

    code = np.asarray(meta["code"])
    if code.ndim != 2:
        raise ModelError(f"the position code must be (tokens, width), got shape {code.shape}")
    return ops.TrainedPositionOp(AddPosition(code, dtype=code.dtype))


def _encode_readout(block: ops.TokenReadoutOp):
    import nir

    classes, tokens = block.weight.shape[0], block.tokens
    width = block.weight.shape[1] // tokens
    # rows l*classes .. (l+1)*classes - 1 are token l's share of the head: input stays one token wide
    per_token = block.weight.reshape(classes, tokens, width).transpose(1, 0, 2).reshape(tokens * classes, width)
    nodes = _ends(width, classes)
    nodes["head"] = nir.Linear(weight=np.ascontiguousarray(per_token))
    nodes["sum_tokens"] = nir.Affine(weight=np.tile(np.eye(classes, dtype=block.weight.dtype), tokens),
                                     bias=np.asarray(block.bias))
    return nodes, _chain("input", "head", "sum_tokens", "output"), {"tokens": tokens, "readout": "mean over time steps"}


def _decode_readout(nodes, meta):
    tokens = int(meta["tokens"])
    per_token = np.asarray(nodes["head"].weight)
    rows, width = per_token.shape
    if rows % tokens:
        raise ModelError(f"head has {rows} rows, not a multiple of {tokens} tokens")
    classes = rows // tokens
    weight = per_token.reshape(tokens, classes, width).transpose(1, 0, 2).reshape(classes, tokens * width)
    return ops.TokenReadoutOp(np.ascontiguousarray(weight), np.asarray(nodes["sum_tokens"].bias).copy(), tokens)


_CODECS = {
    ops.SpikeDrivenAttentionOp.KIND: (_encode_seed_attention, _decode_seed_attention),
    ops.SpikformerSSAOp.KIND: (_encode_ssa, _decode_ssa),
    ops.SpikeDrivenSelfAttentionOp.KIND: (_encode_sdsa, _decode_sdsa),
    ops.AdditionOnlyAttentionOp.KIND: (_encode_a2os2a, _decode_a2os2a),
    ops.SpikyStateSpaceOp.KIND: (_encode_ssm, _decode_ssm),
    ops.CPGEncoderOp.KIND: (_encode_cpg, _decode_cpg),
    ops.TrainedAttentionOp.KIND: (_encode_trained_attention, _decode_trained_attention),
    ops.TrainedChannelAttentionOp.KIND: (_encode_trained_sdsa, _decode_trained_sdsa),
    ops.TrainedAdditionAttentionOp.KIND: (_encode_trained_a2os2a, _decode_trained_a2os2a),
    ops.TrainedPositionOp.KIND: (_encode_trained_position, _decode_trained_position),
    ops.TokenReadoutOp.KIND: (_encode_readout, _decode_readout),
}


def encode_block(block: ops.BlockOp):
    """The tagged ``nir.NIRGraph`` of a block op."""
    import nir

    nodes, edges, hyper = _CODECS[block.KIND][0](block)
    metadata = {OP_KEY: block.KIND, "version": FORMAT_VERSION, **hyper}
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata=metadata, type_check=False)


def block_kind(nir_graph) -> str | None:
    """The op kind a NIR subgraph is tagged with, or None for a plain subgraph."""
    kind = (getattr(nir_graph, "metadata", None) or {}).get(OP_KEY)
    return None if kind is None else str(kind)


def decode_block(nir_graph, name: str = "block") -> ops.BlockOp:
    """The block op of a tagged subgraph; a ModelError names the node and kind if it is malformed."""
    kind = block_kind(nir_graph)
    meta = nir_graph.metadata
    if kind not in _CODECS:
        raise UnsupportedError(f"node {name!r} is tagged as op {kind!r}, which sc-neurocore does not know; "
                               f"known: {', '.join(_CODECS)}")
    version = int(meta.get("version", 0))
    if version != FORMAT_VERSION:
        raise UnsupportedError(f"node {name!r} ({kind}) uses encoding version {version}; "
                               f"this reader reads {FORMAT_VERSION}")
    _check_scalars(name, kind, meta)
    try:
        return _CODECS[kind][1](nir_graph.nodes, meta)
    except KeyError as error:
        raise ModelError(f"node {name!r} ({kind}): missing node or metadata key {error}") from None
    except InputError as error:  # the ops' own checks of their hyper-parameters: a malformed model
        cls = type(error) if isinstance(error, (ModelError, UnsupportedError)) else ModelError
        raise cls(f"node {name!r} ({kind}): {error}") from None
    except (ValueError, TypeError, AttributeError, IndexError, ArithmeticError) as error:
        raise ModelError(f"node {name!r} ({kind}): malformed parameters ({error})") from None


def _check_scalars(name: str, kind: str, meta: dict) -> None:
    """Every numeric hyper-parameter finite and within the size limit, before any op is built from it
    (a `burn_in` or `T` of 1e300 would loop or allocate without bound)."""
    bound = limit("dim")
    for key, value in meta.items():
        if isinstance(value, (bool, str, bytes, dict)) or np.ndim(value) != 0:
            continue
        try:
            number = complex(value)
        except (TypeError, ValueError):
            continue
        if not (np.isfinite(number.real) and np.isfinite(number.imag)) or abs(number) > bound:
            raise ModelError(f"node {name!r} ({kind}): metadata {key!r} = {value!r} is not a finite number of "
                             f"magnitude up to {bound} (SC_NEUROCORE_MAX_DIM)")
