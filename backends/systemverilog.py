"""SystemVerilog emission: a quantised network becomes a deterministic BuildPlan (path -> text).

The generated top level is thin: one `snn_core` instance from `hdl/` with the network's tables as
parameters, plus memory images for weights and per-neuron parameters; every `hdl/` file the core needs
is copied into the plan and listed in `SOURCES`. The same tables drive the generated testbench used for
co-simulation.
"""

import json
from dataclasses import dataclass, field
from importlib import resources

import jinja2
import numpy as np

from sc_neurocore import __version__
from sc_neurocore.errors import FitError
from sc_neurocore.passes.quantise import COEF_SHIFT, QuantisedNetwork
from sc_neurocore.names import jinja_finalize

__all__ = [
    "BuildPlan", "CoreLayout", "layout", "emit", "stimulus_words", "template_context", "render_template",
    "library_files", "SOURCES", "TOP", "TESTBENCH",
]

TOP = "sc_top"
TESTBENCH = "tb_sc_top.sv"
SOURCES = ("sc_top.sv", "snn_core.sv", "snn_event_lists.sv", "snn_neuron_update.sv")
WEIGHTS_FILE = "weights.mem"
NEURONS_FILE = "neurons.mem"
STIMULUS_FILE = "stimulus.mem"
TRACE_FILE = "trace.txt"
_TABLE_LIMIT = 1 << 16


@dataclass(frozen=True)
class BuildPlan:
    """Everything `compile` writes, by relative path; the same network gives the same bytes."""

    files: dict[str, str]
    top: str = TOP
    sources: tuple[str, ...] = SOURCES
    memory_files: tuple[str, ...] = (WEIGHTS_FILE, NEURONS_FILE)
    manifest: dict = field(default_factory=dict)


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


def _hex(value: int, bits: int) -> str:
    return f"{value & ((1 << bits) - 1):0{(bits + 3) // 4}x}"


def _weights_image(net: QuantisedNetwork) -> str:
    rows = []
    for pop in net.populations:
        row_blocks = np.concatenate([proj.weight for proj in pop.projections], axis=1)
        rows.extend(_hex(int(w), net.weight_bits) for w in row_blocks.reshape(-1))
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
            lines.append(_hex(word, 34 + 3 * sb + ab))
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


def render_template(template: str, context: dict) -> str:
    """Render one of `backends/templates` (undefined names are errors)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("sc_neurocore.backends", "templates"),
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
        finalize=jinja_finalize,  # names from files are data: every interpolated string made inert
    )
    return env.get_template(template).render(**context)


def library_files(names) -> dict[str, str]:
    """The hand-written `hdl/` modules `names`, by file name, as they are copied into a build."""
    hdl = resources.files("sc_neurocore.hdl")
    return {name: hdl.joinpath(name).read_text() for name in names}


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
        stimulus = np.random.default_rng(0).random((16, net.input_size)) < 0.2
    words = stimulus_words(stimulus)
    context["n_words"] = len(words)
    pins = 4 + context["in_w"] + 3 + context["out_w"] + (net.state_bits if context["out_value"] else 0)
    manifest = {
        "generator": f"sc-neurocore {__version__}",
        "top": TOP,
        "sources": list(SOURCES),
        "memory_files": [WEIGHTS_FILE, NEURONS_FILE],
        "testbench": TESTBENCH,
        "top_level_io_bits": pins,
        "input_size": net.input_size,
        "dt": net.dt,
        "spike_condition": net.spike_condition,
        "weight_bits": net.weight_bits,
        "state_bits": net.state_bits,
        "acc_bits": net.acc_bits,
        "populations": [
            {"name": p.name, "kind": p.kind, "size": p.size, "frac_bits": p.frac_bits, "spiking": p.spiking,
             "neuron_base": base, "sources": [proj.source for proj in p.projections],
             "recurrent": [proj.recurrent for proj in p.projections]}
            for p, base in zip(net.populations, lay.neuron_base)
        ],
        "output": net.output,
        "memories": {"weight_words": lay.w_depth, "neurons": lay.n_neurons, "event_slots": 2 * lay.ev_depth},
    }
    files = {
        "sc_top.sv": render_template("top.sv.j2", context),
        **library_files(SOURCES[1:]),
        WEIGHTS_FILE: _weights_image(net),
        NEURONS_FILE: _neurons_image(net),
        TESTBENCH: render_template("testbench.sv.j2", context),
        STIMULUS_FILE: "\n".join(f"{w:05x}" for w in words) + "\n",
        "manifest.json": json.dumps(manifest, indent=2, sort_keys=True) + "\n",
    }
    return BuildPlan(files=files, manifest=manifest)
