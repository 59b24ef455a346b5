"""snn_sc_core's co-simulation trace as the sc executor predicts it: each neuron's "K" lines (one per
evaluated synapse, with generator 0's state when its stream starts) precede its "U" line."""

import numpy as np

from sc_neurocore.passes.quantise import QuantisedNetwork
from sc_neurocore.sim.sc import ScConfig, ScEvents, generator_state, run_sc

from sc_neurocore.backends.cores.network.trace import trace_lines

__all__ = ["expected_sc_trace"]


def expected_sc_trace(net: QuantisedNetwork, spikes: np.ndarray, config: ScConfig) -> list[str]:
    """The sc executor's run of `spikes` [T, n_in] in the SC testbench's format."""
    events = ScEvents([])
    result = run_sc(net, spikes[:, None, :], config, record_voltages=True, record_currents=True, events=events)
    synapses: dict[tuple[int, int], list[str]] = {}
    for step, neuron, source, count, evaluation in events.rows:
        state = generator_state(config, evaluation)
        synapses.setdefault((step, neuron), []).append(f"K {step} {neuron} {source} {count} {state}")
    return trace_lines(net, result, spikes.shape[0], synapses)
