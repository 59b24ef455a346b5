"""SystemVerilog emission: a quantised network becomes a deterministic BuildPlan (path -> text).

The generated top level is thin: one `snn_core` instance from `hdl/` with the network's tables as
parameters, plus memory images for weights and per-neuron parameters; every `hdl/` file the core needs
is copied into the plan and listed in `SOURCES`. The same tables drive the generated testbench used for
co-simulation.
"""

from dataclasses import dataclass

import numpy as np

from sc_neurocore import __version__
from sc_neurocore.backends.build.plan import BuildPlan, TESTBENCH, TRACE_FILE, assemble_plan
from sc_neurocore.backends.build.templates import hex_word, library_files, memory_image, render_template
from sc_neurocore.errors import FitError
from sc_neurocore.passes.quantise import COEF_SHIFT, QuantisedNetwork

__all__ = ["CoreLayout", "layout", "emit", "network_fields", "default_spikes", "stimulus_words", "template_context", "SOURCES", "TOP"]

TOP = "sc_top"
SOURCES = ("sc_top.sv", "snn_core.sv", "snn_schedule.sv", "snn_event_lists.sv", "snn_neuron_update.sv")
WEIGHTS_FILE = "weights.mem"
NEURONS_FILE = "neurons.mem"
STIMULUS_FILE = "stimulus.mem"
_TABLE_LIMIT = 1 << 16
STIMULUS_WORD_BITS = 17  # a 16-bit input index, or bit 16 alone: the end of a time step


@dataclass(frozen=True)
class CoreLayout:
    """Where each population, projection and event list lives in the core's memories and tables."""

    neuron_base: tuple[int, ...]
    source_event_base: tuple[int, ...]  # source 0 is the input, population p is source p + 1
    projection_first: tuple[int, ...]
    projection_offset: tuple[int, ...]
    fan_in: tuple[int, ...]
    n_neurons: int
    w_depth: int
    ev_depth: int


def layout(net: QuantisedNetwork) -> CoreLayout:
    names = [pop.name for pop in net.populations]
    neuron_base, event_base, first, offsets, fan_in = [], [0], [], [], []
    n_neurons, w_depth, ev = 0, 0, net.input_size
    for pop in net.populations:
        neuron_base.append(n_neurons)
        event_base.append(ev)
        first.append(len(offsets))
        row = 0
        for proj in pop.projections:
            offsets.append(row)
            row += net.source_size(proj.source)
        fan_in.append(row)
        n_neurons += pop.size
        ev += pop.size
        w_depth += pop.size * row
    assert len(names) == len(set(names))
    return CoreLayout(tuple(neuron_base), tuple(event_base), tuple(first), tuple(offsets), tuple(fan_in),
                      n_neurons, max(w_depth, 1), ev)


def _source_index(net: QuantisedNetwork, source: str) -> int:
    if source == "input":
        return 0
    return 1 + [pop.name for pop in net.populations].index(source)


def _table(values) -> str:
    values = [int(v) for v in values]
    for value in values:
        if not 0 <= value < _TABLE_LIMIT:
            raise FitError(f"a core table entry ({value}) does not fit 16 bits: the network is too large")
    # entry k sits at bits [16k +: 16], so the last entry is written first
    return f"{16 * len(values)}'h" + "".join(f"{v:04x}" for v in reversed(values))


def _weights_image(net: QuantisedNetwork) -> str:
    rows = []
    for pop in net.populations:
        row_blocks = np.concatenate([proj.weight for proj in pop.projections], axis=1)
        rows.extend(hex_word(int(w), net.weight_bits) for w in row_blocks.reshape(-1))
    return "\n".join(rows or ["0"]) + "\n"


def _neurons_image(net: QuantisedNetwork) -> str:
    sb, ab = net.state_bits, net.acc_bits
    lines = []
    for pop in net.populations:
        for i in range(pop.size):
            word = 0
            for value, bits in (
                (pop.k_mem[i], 17), (pop.k_syn[i], 17), (pop.v_leak[i], sb),
                (pop.v_threshold[i], sb), (pop.v_reset[i], sb), (pop.bias[i], ab),
            ):
                word = (word << bits) | (int(value) & ((1 << bits) - 1))
            lines.append(hex_word(word, 34 + 3 * sb + ab))
    return "\n".join(lines) + "\n"


def template_context(net: QuantisedNetwork, lay: CoreLayout) -> dict:
    """The values the top-level and testbench templates need: core parameters, tables, widths, file names."""
    for pop in net.populations:
        for values, what in ((pop.v_threshold, "threshold"), (pop.v_reset, "reset"), (pop.v_leak, "leak")):
            if np.abs(values).max(initial=0) >= 1 << (net.state_bits - 1):
                raise FitError(f"population {pop.name!r}: {what} does not fit {net.state_bits} state bits")
    assert COEF_SHIFT == 16  # the core's datapath shifts decay products by 16
    flags = [int(p.spiking) | int(p.has_syn) << 1 | int(p.reset_subtract) << 2 for p in net.populations]
    projections = [proj for pop in net.populations for proj in pop.projections]
    tables = {
        "POP_SIZE": _table(p.size for p in net.populations),
        "POP_NEURON_BASE": _table(lay.neuron_base),
        "POP_PROJ_FIRST": _table(lay.projection_first),
        "POP_PROJ_COUNT": _table(len(p.projections) for p in net.populations),
        "POP_FAN_IN": _table(lay.fan_in),
        "POP_FLAGS": _table(flags),
        "SRC_EV_BASE": _table(lay.source_event_base),
        "PROJ_SRC": _table(_source_index(net, proj.source) for proj in projections),
        "PROJ_RECURRENT": _table(int(proj.recurrent) for proj in projections),
        "PROJ_OFFSET": _table(lay.projection_offset),
    }
    out_pop = [p.name for p in net.populations].index(net.output)
    output = net.populations[out_pop]
    pops = [
        {"name": p.name, "kind": p.kind, "size": p.size, "base": base}
        for p, base in zip(net.populations, lay.neuron_base)
    ]
    return {
        "version": __version__, "top": TOP, "tables": tables, "pops": pops,
        "summary": " -> ".join([str(net.input_size)] + [f"{p.size} {p.kind}" for p in net.populations]),
        "n_pops": len(net.populations), "n_proj": max(len(projections), 1), "n_neurons": lay.n_neurons,
        "w_depth": lay.w_depth, "ev_depth": lay.ev_depth, "in_size": net.input_size, "out_pop": out_pop,
        "wb": net.weight_bits, "sb": net.state_bits, "ab": net.acc_bits,
        "spike_ge": int(net.spike_condition == "ge"),
        "in_w": max(1, int(np.ceil(np.log2(net.input_size)))), "out_w": max(1, int(np.ceil(np.log2(output.size)))),
        "nw": max(1, int(np.ceil(np.log2(lay.n_neurons)))),
        "out_value": not output.spiking,
        "weights_file": WEIGHTS_FILE, "neurons_file": NEURONS_FILE,
        "stimulus_file": STIMULUS_FILE, "trace_file": TRACE_FILE,
    }


def network_fields(net: QuantisedNetwork) -> dict:
    """What every network core's manifest records of the network: its input, time step, spike rule and widths."""
    return {"input_size": net.input_size, "dt": net.dt, "spike_condition": net.spike_condition,
            "weight_bits": net.weight_bits, "state_bits": net.state_bits, "output": net.output}


def default_spikes(net: QuantisedNetwork, steps: int = 16, rate: float = 0.2) -> np.ndarray:
    """A testbench's default stimulus: seeded input spikes [steps, n_in]."""
    return np.random.default_rng(0).random((steps, net.input_size)) < rate


def stimulus_words(spikes: np.ndarray) -> list[int]:
    """Input spikes [T, n_in] (0/1) as the testbench's event words: indices, then an end-of-step word."""
    words = []
    for row in np.asarray(spikes):
        words.extend(int(i) for i in np.flatnonzero(row))
        words.append(1 << 16)
    return words


def emit(net: QuantisedNetwork, stimulus: np.ndarray | None = None) -> BuildPlan:
    """Generate the design, its memory images, a testbench and a manifest."""
    lay = layout(net)
    context = template_context(net, lay)
    if stimulus is None:
        stimulus = default_spikes(net)
    words = stimulus_words(stimulus)
    context["n_words"] = len(words)
    pins = 4 + context["in_w"] + 3 + context["out_w"] + (net.state_bits if context["out_value"] else 0)
    manifest = {
        "memory_files": [WEIGHTS_FILE, NEURONS_FILE],
        "top_level_io_bits": pins,
        **network_fields(net),
        "acc_bits": net.acc_bits,
        "populations": [
            {"name": p.name, "kind": p.kind, "size": p.size, "frac_bits": p.frac_bits, "spiking": p.spiking,
             "neuron_base": base, "sources": [proj.source for proj in p.projections],
             "recurrent": [proj.recurrent for proj in p.projections]}
            for p, base in zip(net.populations, lay.neuron_base)
        ],
        "memories": {"weight_words": lay.w_depth, "neurons": lay.n_neurons, "event_slots": 2 * lay.ev_depth},
    }
    files = {
        "sc_top.sv": render_template("network", "top.sv.j2", context),
        **library_files(SOURCES[1:]),
        WEIGHTS_FILE: _weights_image(net),
        NEURONS_FILE: _neurons_image(net),
        TESTBENCH: render_template("network", "testbench.sv.j2", context),
        STIMULUS_FILE: memory_image(words, STIMULUS_WORD_BITS),
    }
    return assemble_plan(TOP, SOURCES, files, manifest, (WEIGHTS_FILE, NEURONS_FILE))
