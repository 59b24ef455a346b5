"""SystemVerilog emission for `--arith sc`: the network on `hdl/snn/snn_sc_core.sv` (see `sc_neurocore.sim.sc`).

The layout, tables and memory images are the fixed backend's (weights stay B-bit integers in block RAM; the
core turns each into an SC threshold when its spike arrives); this module adds the stream parameters from
the configuration's allocation and renders the SC top level and testbench.
"""


import numpy as np

from sc_neurocore.passes.quantise import QuantisedNetwork
from sc_neurocore.sim.sc import WIDTH, ScConfig, sc_network

from sc_neurocore.backends.build.plan import BuildPlan, TESTBENCH, assemble_plan
from sc_neurocore.backends.build.templates import library_files, render_template
from sc_neurocore.backends.cores.network import design as fixed
from sc_neurocore.backends.cores.network.design import (
    NEURONS_FILE, STIMULUS_FILE, TOP, WEIGHTS_FILE, template_context,
)

__all__ = ["emit_sc", "SC_SOURCES"]

SC_SOURCES = (
    "sc_top.sv", "snn_sc_core.sv", "snn_schedule.sv", "snn_event_lists.sv", "snn_neuron_update.sv",
    "sc_stream_bank.sv", "sc_popcount.sv", "sc_lfsr.sv", "sc_sng.sv",
)


def _packed(values, bits: int) -> str:
    """A packed parameter table: entry k at [bits*k +: bits], so the last entry is written first."""
    values = [int(v) for v in values]
    return f"{bits * len(values)}'h" + "".join(f"{v:0{bits // 4}x}" for v in reversed(values))


def _stream_context(net: QuantisedNetwork, config: ScConfig) -> dict:
    allocation = config.allocation
    generators = allocation.generators
    fan_in = max(sum(net.source_size(p.source) for p in pop.projections) for pop in net.populations)
    shift = config.shift(net.weight_bits)
    return {
        "lanes": config.lanes, "chunks": config.chunks, "stream_length": config.stream_length,
        "shift_r": max(shift, 0), "shift_l": max(-shift, 0), "width": WIDTH,
        "gens": len(generators), "stride": generators[0].stride,
        "cb": int(np.ceil(np.log2(fan_in * config.stream_length + 1))) + 1,
        "gen_taps": _packed((g.taps for g in generators), 32),
        "gen_seed": _packed((g.seed for g in generators), 32),
        "lane_gen": _packed((v.generator for v in allocation.streams), 16),
        "lane_rot": _packed((v.rotation for v in allocation.streams), 16),
        "lane_rev": _packed((int(v.reverse) for v in allocation.streams), 16),
    }


def emit_sc(net: QuantisedNetwork, config: ScConfig, stimulus: np.ndarray | None = None) -> BuildPlan:
    """The SC design, memory images, testbench and manifest (deterministic, like `emit`)."""
    net = sc_network(net)
    plan = fixed.emit(net, stimulus)
    lay = fixed.layout(net)
    context = {
        **template_context(net, lay), **_stream_context(net, config),
        "n_words": len(plan.files[STIMULUS_FILE].splitlines()),
    }
    manifest = {
        **plan.manifest,
        "arith": "sc",
        "acc_bits": net.acc_bits,
        "sc": {
            "stream_length": config.stream_length, "lanes": config.lanes, "chunks": config.chunks,
            "lfsr_width": WIDTH, "generators": context["gens"], "stride": context["stride"], "seed": config.seed,
            "count_shift": config.shift(net.weight_bits),
        },
    }
    files = {
        "sc_top.sv": render_template("sc", "sc_top.sv.j2", context),
        **library_files(SC_SOURCES[1:]),
        WEIGHTS_FILE: plan.files[WEIGHTS_FILE],
        NEURONS_FILE: plan.files[NEURONS_FILE],
        TESTBENCH: render_template("sc", "sc_testbench.sv.j2", context),
        STIMULUS_FILE: plan.files[STIMULUS_FILE],
    }
    return assemble_plan(TOP, SC_SOURCES, files, manifest, (WEIGHTS_FILE, NEURONS_FILE))
