"""Co-simulation of snn_conv_core: Icarus Verilog, with yosys's own SPRAM model, against the fixed executor."""

from pathlib import Path

import numpy as np

from sc_neurocore.passes.quantise import QuantisedNetwork

from sc_neurocore.backends.conv_systemverilog import CONV_SOURCES, emit_conv
from sc_neurocore.backends.build.build_dir import write_files
from sc_neurocore.backends.cosim import ICE40_MODELS, CosimResult, expected_trace, ice40_cell_models, run_icarus

__all__ = ["cosimulate_conv", "neuron_order"]


def neuron_order(lines) -> list[str]:
    """Trace lines with each step's updates in neuron order: with two lanes the core updates channels o and
    o + 1 of a position one after the other. An output event ("O") stays with the update before it."""
    units = []
    for line in lines:
        if line.startswith("O") and units:
            units[-1][1].append(line)
        else:
            fields = line.split()
            units.append(((int(fields[1]), int(fields[2])) if line.startswith("U") else (-1, -1), [line]))
    units.sort(key=lambda unit: unit[0])  # stable: anything else keeps its place at the front
    return [line for _, group in units for line in group]


def cosimulate_conv(net: QuantisedNetwork, spikes: np.ndarray, work_dir: Path, timeout_s: float = 3600) -> CosimResult:
    """Emit the convolution core with `spikes` [T, n_in] as stimulus, simulate it, compare every neuron update."""
    spikes = np.asarray(spikes).astype(np.int64)
    work_dir.mkdir(parents=True, exist_ok=True)
    write_files(work_dir, {**emit_conv(net, stimulus=spikes).files, ICE40_MODELS: ice40_cell_models()})
    # the testbench instantiates the core itself: the generated top is left out
    rtl, cycles = run_icarus(work_dir, timeout_s, sources=(*CONV_SOURCES[1:], ICE40_MODELS))
    return CosimResult(tuple(neuron_order(rtl)), tuple(expected_trace(net, spikes)), cycles)
