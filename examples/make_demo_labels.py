"""Write a labelled input set for examples/demo_lif.nir: `python examples/make_demo_labels.py OUT.npz`.

The demo network is untrained, so its "labels" are the float model's own classes (the output neuron with
the most spikes) on rate-coded samples: accuracy in `report` is then agreement with the float model. The
file holds 'input' [B, 64] spike probabilities and 'labels' [B], as `report --input` and `run --input` take.
"""

import argparse
from pathlib import Path

import numpy as np

from sc_neurocore.passes.pipeline import load_quantised
from sc_neurocore.sim import run_float

DEMO = Path(__file__).resolve().parent / "demo_lif.nir"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    network, _ = load_quantised(DEMO)
    rng = np.random.default_rng(args.seed)
    rates = rng.uniform(0.0, 0.3, (args.samples, network.input_size))
    # the same rate coding `report` applies to [B, n] inputs (seed 0 there): labels match what it simulates
    spikes = (np.random.default_rng(0).random((args.steps, *rates.shape)) < rates[None]).astype(np.float64)
    labels = run_float(network, spikes).output.sum(axis=0).argmax(axis=-1)
    np.savez(args.out, input=rates, labels=labels)
    print(f"wrote {args.out}: {args.samples} samples, classes {np.bincount(labels, minlength=10).tolist()}")


if __name__ == "__main__":
    main()
