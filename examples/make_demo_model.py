"""Write examples/demo_lif.nir: a 64 -> 32 -> 10 LIF network with seeded, varied weights.

Run `python examples/make_demo_model.py` to regenerate it; the same seed gives the same file.
The time constants assume dt = 1e-4 s, the toolchain's default.
"""

from pathlib import Path

import nir
import numpy as np

SEED = 54
SIZES = (64, 32, 10)


def demo_graph() -> nir.NIRGraph:
    rng = np.random.default_rng(SEED)
    nodes = {"input": nir.Input(input_type=np.array([SIZES[0]]))}
    edges, previous = [], "input"
    for layer, (n_in, n_out) in enumerate(zip(SIZES[:-1], SIZES[1:]), start=1):
        weight = rng.normal(0.0, 2.0 / np.sqrt(n_in), (n_out, n_in)).astype(np.float32)
        bias = rng.normal(0.0, 0.02, n_out).astype(np.float32)
        tau = rng.uniform(2e-3, 5e-3, n_out).astype(np.float32)
        nodes[f"fc{layer}"] = nir.Affine(weight=weight, bias=bias)
        nodes[f"lif{layer}"] = nir.LIF(
            tau=tau, r=np.ones(n_out, np.float32), v_leak=np.zeros(n_out, np.float32),
            v_threshold=np.full(n_out, 0.05, np.float32), v_reset=np.zeros(n_out, np.float32),
        )
        edges += [(previous, f"fc{layer}"), (f"fc{layer}", f"lif{layer}")]
        previous = f"lif{layer}"
    nodes["output"] = nir.Output(output_type=np.array([SIZES[-1]]))
    edges.append((previous, "output"))
    return nir.NIRGraph(nodes=nodes, edges=edges)


if __name__ == "__main__":
    target = Path(__file__).with_name("demo_lif.nir")
    nir.write(target, demo_graph())
    print(f"wrote {target}")
