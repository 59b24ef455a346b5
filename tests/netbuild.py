"""Small NIR graphs for tests, one per neuron model, with seeded weights."""

import nir
import numpy as np


def neuron(kind: str, n: int, rng) -> nir.NIRNode:
    tau = rng.uniform(1e-3, 4e-3, n)
    th = rng.uniform(0.2, 0.6, n)
    if kind == "LIF":
        return nir.LIF(tau=tau, r=np.ones(n), v_leak=rng.normal(0, 0.02, n), v_threshold=th, v_reset=np.zeros(n))
    if kind == "IF":
        return nir.IF(r=np.full(n, 0.3), v_threshold=th, v_reset=np.zeros(n))
    if kind == "LI":
        return nir.LI(tau=tau, r=np.ones(n), v_leak=np.zeros(n))
    if kind == "I":
        return nir.I(r=np.full(n, 0.1))
    if kind == "CubaLIF":
        return nir.CubaLIF(tau_syn=tau / 2, tau_mem=tau, r=np.ones(n), v_leak=np.zeros(n), v_threshold=th * 0.2,
                           v_reset=np.zeros(n), w_in=np.ones(n))
    if kind == "CubaLI":
        return nir.CubaLI(tau_syn=tau / 2, tau_mem=tau, r=np.ones(n), v_leak=np.zeros(n), w_in=np.ones(n))
    if kind == "Threshold":
        return nir.Threshold(threshold=th)
    raise ValueError(kind)


def lif(n: int, **changes) -> nir.LIF:
    """n LIF neurons: tau 2 ms, r 1, threshold 1, no leak, reset to 0; `changes` override any of them."""
    params = dict(tau=np.full(n, 2e-3), r=np.ones(n), v_leak=np.zeros(n), v_threshold=np.ones(n), v_reset=np.zeros(n))
    params.update(changes)
    return nir.LIF(**params)


def two_layer(hidden_kind: str, output_kind: str, sizes=(12, 9, 5), seed=0) -> nir.NIRGraph:
    """Input -> Affine -> hidden -> Affine -> output, weights drawn so that both layers fire."""
    rng = np.random.default_rng(seed)
    n_in, n_hid, n_out = sizes
    return nir.NIRGraph.from_list(
        nir.Input(np.array([n_in])),
        nir.Affine(rng.normal(0.3, 0.6, (n_hid, n_in)), rng.normal(0, 0.05, n_hid)),
        neuron(hidden_kind, n_hid, rng),
        nir.Affine(rng.normal(0.4, 0.8, (n_out, n_hid)), np.zeros(n_out)),
        neuron(output_kind, n_out, rng),
        nir.Output(np.array([n_out])),
    )
