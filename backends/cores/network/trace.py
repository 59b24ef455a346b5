"""snn_core's co-simulation trace as the fixed executor predicts it: one "U" line per neuron update, one
"O" line per output event."""

import numpy as np

from sc_neurocore.passes.quantise import QuantisedNetwork
from sc_neurocore.sim import run_fixed

from sc_neurocore.backends.cores.network.design import layout

__all__ = ["expected_trace", "trace_lines"]


def expected_trace(net: QuantisedNetwork, spikes: np.ndarray) -> list[str]:
    """The fixed executor's run of `spikes` [T, n_in] in the testbench's trace format."""
    result = run_fixed(net, spikes[:, None, :], record_voltages=True, record_currents=True)
    return trace_lines(net, result, spikes.shape[0], {})


def trace_lines(net: QuantisedNetwork, result, steps: int, synapses: dict) -> list[str]:
    """An executor's `result` as trace lines; `synapses[(step, neuron)]` lines precede that neuron's update."""
    base = dict(zip([p.name for p in net.populations], layout(net).neuron_base))
    output = net.population(net.output)
    lines = []
    for t in range(steps):
        for pop in net.populations:
            v = result.voltages[pop.name][t, 0]
            syn = result.currents[pop.name][t, 0] if pop.has_syn else np.zeros_like(v)
            out = result.outputs[pop.name][t, 0]
            for i in range(pop.size):
                spike = int(out[i]) if pop.spiking else 0
                lines.extend(synapses.get((t, base[pop.name] + i), ()))
                lines.append(f"U {t} {base[pop.name] + i} {int(v[i])} {int(syn[i])} {spike}")
                if pop.name == net.output and (spike or not output.spiking):
                    lines.append(f"O {t} {i} {int(v[i])}")
    return lines
