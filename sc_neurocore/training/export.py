"""Export a trained ``SpikingMLP`` as a NIR graph ``Input -> Affine -> LIF ... -> Output``.

The model's step ``u = (1 - k) v + W x + b`` equals NIR's Euler step at time step ``dt``,
``v += dt/tau (v_leak - v + r I)``, when ``tau = dt / k``, ``r = tau / dt`` and ``v_leak = 0``
(IF layers, ``k = 0``: ``v += dt r I`` with ``r = 1 / dt``). ``dt`` is recorded in the metadata,
since NIR stores no time step. In quantisation-aware mode the exported weights, thresholds and
leaks are the rounded values the hardware uses.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from .mlp import SpikingMLP
from .neurons import LIF

__all__ = ["mlp_to_nir", "write_nir"]


def mlp_to_nir(model: SpikingMLP, metadata: dict | None = None):
    """The NIR graph of ``model`` (float64 arrays); ``metadata`` is added to the graph's."""
    import nir

    dt = float(model.dt)
    nodes = {"input": nir.Input({"input": np.array([model.sizes[0]])})}
    edges, previous = [], "input"
    for i, (linear, neuron) in enumerate(zip(model.linears, model.neurons)):
        w, b = linear.effective()
        bias = np.zeros(w.shape[0]) if b is None else b.astype(np.float64)
        nodes[f"fc{i}"] = nir.Affine(w.astype(np.float64), bias)
        k = neuron.leak().astype(np.float64)
        neuron.state_step = 2.0**-linear.frac_bits
        if isinstance(neuron, LIF):
            theta = neuron.theta().astype(np.float64)
            if np.all(k == 0):
                node = nir.IF(r=np.full_like(k, 1 / dt), v_threshold=theta, v_reset=np.zeros_like(k))
            else:
                tau = dt / k
                node = nir.LIF(tau=tau, r=tau / dt, v_leak=np.zeros_like(k), v_threshold=theta,
                               v_reset=np.zeros_like(k))
            name = f"lif{i}"
        else:
            tau = dt / k
            node, name = nir.LI(tau=tau, r=tau / dt, v_leak=np.zeros_like(k)), f"li{i}"
        nodes[name] = node
        edges += [(previous, f"fc{i}"), (f"fc{i}", name)]
        previous = name
    nodes["output"] = nir.Output({"output": np.array([model.sizes[-1]])})
    edges.append((previous, "output"))
    meta = {"dt": dt, "producer": "sc-neurocore train", "readout": model.readout}
    meta.update(metadata or {})
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata=meta)


def write_nir(model: SpikingMLP, path: Path, metadata: dict | None = None) -> Path:
    """Write the NIR file atomically (temporary file in the same folder, then rename)."""
    import nir

    path = Path(path)
    handle, tmp = tempfile.mkstemp(suffix=".nir", dir=path.parent)
    os.close(handle)
    try:
        nir.write(tmp, mlp_to_nir(model, metadata))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
