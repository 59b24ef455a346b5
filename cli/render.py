"""All rich output of the CLI: result objects in, tables on a console out.

Console() decides colour itself: none when stdout is not a terminal (CI logs, pipes).
"""

from __future__ import annotations

from rich import box
from rich.bar import Bar
from rich.console import Console
from rich.table import Table

from sc_neurocore.backends.cores.attention.design import PARTS
from sc_neurocore.report.build_record import BuildReport
from sc_neurocore.backends.build.plan import BuildPlan
from sc_neurocore.backends.flow.tools import ToolchainStatus
from sc_neurocore.report import Report, compare, throughput_gap
from sc_neurocore.report.link import board_rows
from sc_neurocore.report.numbers import quantity, seconds, si, signed_percent
from sc_neurocore.sim.summary import SimulationSummary
from sc_neurocore.names import terminal_text as _t

__all__ = [
    "console", "render_build_report", "render_deploy", "render_simulation", "render_compile", "render_block_compile",
    "render_doctor", "render_report", "render_comparison",
]


def _resource_table(report: BuildReport) -> Table:
    table = Table(
        title=f"{_t(report.top)} on iCE40 {report.device.upper()}-{report.package}",
        box=box.SIMPLE_HEAD,
        title_justify="left",
    )
    table.add_column("resource")
    table.add_column("used", justify="right")
    table.add_column("available", justify="right")
    table.add_column("%", justify="right")
    for row in report.resources:
        percent = row.percent
        shown = "-" if percent is None else f"{percent:.1f}"
        if percent is not None and percent > 80:
            shown = f"[bold yellow]{shown}[/]"
        available = "-" if row.available is None else str(row.available)
        table.add_row(_t(row.name), str(row.used), available, shown)
    return table


def _fmax_lines(report: BuildReport) -> list[str]:
    if not report.fmax_mhz:
        return ["Fmax: no clocked paths"]
    lines = []
    for clock, (achieved, constraint) in report.fmax_mhz.items():
        if constraint is None:
            lines.append(f"Fmax {clock}: {achieved:.1f} MHz")
            continue
        verdict = "[green]meets[/]" if achieved >= constraint else "[bold red]misses[/]"
        lines.append(f"Fmax {clock}: {achieved:.1f} MHz, {verdict} the {constraint:g} MHz constraint")
    return lines


def render_build_report(report: BuildReport, console: Console) -> None:
    """Resources (used / available / %), Fmax against the constraint, tools and stage times."""
    console.print(_resource_table(report))
    for line in _fmax_lines(report):
        console.print(line)
    if report.critical_paths:
        # Paths to and from ports (<async>) do not limit the clock; show a register-to-register one.
        clocked = [p for p in report.critical_paths if "<async>" not in (p.from_clock, p.to_clock)]
        worst = max(clocked or report.critical_paths, key=lambda path: path.delay_ns)
        console.print(
            f"critical path: {worst.delay_ns:.2f} ns ({worst.logic_ns:.2f} logic, {worst.routing_ns:.2f} routing), "
            f"{worst.from_clock} -> {worst.to_clock}",
            highlight=False,
        )
    tools = ", ".join(f"{name} {version}" for name, version, _ in report.tools)
    console.print(f"tools: {_t(tools)}", highlight=False)
    if report.stage_seconds:
        stages = ", ".join(f"{stage} {seconds:.1f} s" for stage, seconds in report.stage_seconds.items())
        console.print(f"stages: {stages}", highlight=False)
    if report.bitstream is not None:
        console.print(f"bitstream: {_t(report.bitstream)}", highlight=False, soft_wrap=True)


_CONSOLE: Console | None = None


def console() -> Console:
    """The CLI's one console (created on first use so that tests can capture stdout)."""
    global _CONSOLE
    if _CONSOLE is None:
        _CONSOLE = Console(highlight=False)
    return _CONSOLE


def render_simulation(console: Console, model, summary: SimulationSummary, out) -> None:
    """Spike counts and rates per population, and the cost of fixed point against float."""
    table = Table(
        title=f"{_t(model)}: {summary.steps} steps x {summary.batch} batch, {summary.mode} mode",
        box=box.SIMPLE_HEAD, title_justify="left",
    )
    for column, justify in (("population", "left"), ("model", "left"), ("neurons", "right"),
                            ("spikes", "right"), ("rate / step", "right")):
        table.add_column(column, justify=justify)
    for row in summary.activity:
        rate = f"{row.rate:.4f}" if row.kind not in ("LI", "I", "CubaLI", "Readout") else "(membrane)"
        table.add_row(_t(row.name), _t(row.kind), str(row.size), str(row.spikes), rate)
    console.print(table)
    if summary.quantisation is not None:
        cost = summary.quantisation
        console.print(
            f"{summary.mode} vs float: spike agreement {100 * cost.spike_agreement:.2f} %, "
            f"max membrane error {cost.max_membrane_error:.3g}"
        )
    if out is not None:
        console.print(f"saved: {_t(out)}", soft_wrap=True)


def _written_files(console: Console, out_dir, plan: BuildPlan) -> None:
    console.print(f"wrote {len(plan.files)} files to {_t(out_dir)}", soft_wrap=True)
    for name in sorted(plan.files):
        console.print(f"  {_t(name)}")


def render_compile(console: Console, out_dir, plan: BuildPlan) -> None:
    manifest = plan.manifest
    _written_files(console, out_dir, plan)
    memories = manifest["memories"]
    console.print(
        f"top {manifest['top']}: {manifest['top_level_io_bits']} IO bits, {memories['neurons']} neurons, "
        f"{memories['weight_words']} weights x {manifest['weight_bits']} bits"
    )


def render_block_compile(console: Console, out_dir, plan: BuildPlan, kind: str, node: str) -> None:
    """The files of a block op's design and what it is: its kind, node, fold and IO."""
    _written_files(console, out_dir, plan)
    console.print(f"top {plan.top}: {plan.manifest['top_level_io_bits']} IO bits, block {kind} (node {_t(repr(node))}) "
                  f"with its own parameters, lanes={plan.manifest['spec'].get('lanes', 1)}", soft_wrap=True)


def render_deploy(report: BuildReport, console: Console, parts: dict | None = None, board: dict | None = None) -> None:
    """The build report of a deploy; an attention layer's cost by part (yosys flattens the layer for
    place and route, so the parts come from a hierarchy-kept synthesis); a board build's board and clock."""
    render_build_report(report, console)
    if parts:
        console.print(_attention_parts_table(parts))
    if board:
        render_board(board, console)


def render_board(board: dict, console: Console) -> None:
    """A board build's board, core clock (and why), UART and build id, as its manifest records them."""
    console.print(f"board {_t(board['name'])}: {_t(board['clock_reason'])}", soft_wrap=True)
    console.print(f"host link: UART {board['baud']:,} baud on pins rx {_t(board['pins']['uart_rx'])}, "
                  f"tx {_t(board['pins']['uart_tx'])}; build id {board['build_id']}", soft_wrap=True)


def render_board_run(record: dict, console: Console) -> None:
    """What `run` measured: inferences, agreement with the integer twin, accuracy, speed, bytes on the link."""
    table = _plain_table(f"run on {'the simulated board' if 'simulated_board_seconds' in record else 'the board'}",
                         "", "value")
    table.add_row("inferences", str(record["inferences"]))
    twin = record["mismatches_against_twin"]
    table.add_row("equal to the integer twin", "all" if twin == 0 else f"[red]{twin} differ[/]")
    if "accuracy" in record:
        table.add_row("accuracy", f"{100 * record['accuracy']:.2f} %")
    table.add_row("inferences / s (wall clock)", si(record["inferences_per_second"] or 0))
    if "simulated_board_seconds" in record:
        table.add_row("board time simulated", seconds(record["simulated_board_seconds"]))
    table.add_row("bytes to / from the board", f"{record['bytes_to_device']:,} / {record['bytes_from_device']:,}")
    console.print(table)
    console.print(f"build id {record['build_id']}; predictions {record['predictions'][:16]}"
                  f"{' ...' if len(record['predictions']) > 16 else ''}", soft_wrap=True)


def render_doctor(status: ToolchainStatus, console: Console) -> None:
    """Every candidate tool: where it is, its version or what is wrong; the flavour auto would pick."""
    table = Table(title="tools", box=box.SIMPLE_HEAD, title_justify="left")
    for column in ("tool", "flavour", "path", "version"):
        table.add_column(column, overflow="fold")
    for tool in status.candidates:
        found = str(tool.path) if tool.path else "[red]not found[/]"
        table.add_row(tool.name, tool.flavour, found, tool.version or tool.problem or "-")
    console.print(table)
    picked = status.selected_flavour or f"none ({status.selection_problem})"
    console.print(f"flow tools (auto): {picked}")
    warm = "warm" if status.yowasp_cache_warm else "cold (first run compiles for 40-80 s; make warm-tools)"
    console.print(f"YoWASP cache: {_t(status.yowasp_cache_dir)}: {warm}", soft_wrap=True)
    console.print(f"make: {status.make_path or 'not found (needed by the edalize flow)'}")


def _plain_table(title: str, *columns: str, left: int = 1) -> Table:
    """A report table: the first `left` columns hold names, the others numbers."""
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left")
    for index, column in enumerate(columns):
        table.add_column(column, justify="left" if index < left else "right")
    return table


def _throughput_table(report: Report) -> Table:
    t = report.throughput
    table = _plain_table(f"throughput at {t.fmax_mhz:.1f} MHz ({t.core} schedule)", "", "no spikes", "measured",
                         "all spike")
    table.add_row("cycles per step", str(t.min_cycles_per_step), si(t.mean_cycles_per_step), str(t.max_cycles_per_step))
    table.add_row("time steps / s", si(t.steps_per_second(t.min_cycles_per_step)), si(t.measured_steps_per_second),
                  si(t.worst_steps_per_second))
    table.add_row("inferences / s", "", si(t.inferences_per_second), "")
    table.add_row("time / inference", "", seconds(t.seconds_per_inference), "")
    table.add_row("real-time factor", "", si(t.real_time_factor), "")
    return table


def _activity_table(report: Report) -> Table:
    activity = report.activity
    arith = "stochastic streams" if report.build.manifest.get("arith") == "sc" else "fixed point"
    table = _plain_table(f"activity: {activity.steps} steps, batch {activity.batch}, {arith}",
                         "layer", "model", "neurons", "spikes", "rate/step", "rate", left=2)
    table.add_column("")
    top = max((layer.rate for layer in activity.layers if layer.spiking), default=0.0) or 1.0
    for layer in activity.layers:
        if not layer.spiking:
            table.add_row(_t(layer.name), _t(layer.kind), str(layer.size), "-", "(membrane)", "-", "")
            continue
        table.add_row(_t(layer.name), _t(layer.kind), str(layer.size), str(layer.spikes), f"{layer.rate:.4f}",
                      si(layer.rate_hz, "Hz"), Bar(top, 0, layer.rate, width=12))
    return table


def _energy_table(report: Report) -> Table:
    e = report.energy
    table = _plain_table("energy per inference (estimate, 45 nm arithmetic)", "", "operations", "energy")
    table.add_row(f"SNN synaptic ACs x {e.e_ac_pj} pJ", si(e.synaptic_acs), f"{e.snn_synaptic_nj:.3g} nJ")
    table.add_row(f"ANN MACs x {e.e_mac_pj} pJ", si(e.ann_macs), f"{e.ann_nj:.3g} nJ")
    table.add_row(f"neuron updates x {e.e_mac_pj} pJ", si(e.neuron_macs), f"{e.neuron_update_nj:.3g} nJ")
    return table


_PART_CELLS = (("LUT4", "SB_LUT4"), ("carries", "SB_CARRY"), ("EBR", "SB_RAM40_4K"), ("SPRAM", "SB_SPRAM256KA"),
               ("DSP", "SB_MAC16"))


def _attention_parts_table(parts: dict) -> Table:
    """What each part of an attention layer costs, from yosys with the module hierarchy kept."""
    table = _plain_table("attention layer by part (yosys, hierarchy kept)", "part", *(n for n, _ in _PART_CELLS),
                         "flip-flops")
    for module, label in PARTS.items():
        cells = parts.get(module)
        if cells is not None:
            flops = sum(count for cell, count in cells.items() if cell.startswith("SB_DFF"))
            table.add_row(label, *(str(cells.get(cell, 0)) for _, cell in _PART_CELLS), str(flops))
    return table


def render_report(report: Report, console: Console) -> None:
    """The build report, then throughput, activity, energy and accuracy where they are known."""
    render_deploy(report.build.report, console, report.build.parts)
    provenance = report.build.provenance
    if provenance:
        console.print(f"model: {_t(provenance.get('model'))}", soft_wrap=True)  # paths stay whole for copying
        console.print(f"model sha256 {provenance.get('model_sha256', '?')[:16]}, "
                      f"sc-neurocore commit {(provenance.get('commit') or 'unknown')[:10]}")
    if report.throughput is not None:
        console.print(_throughput_table(report))
    else:
        console.print(f"throughput: {throughput_gap(report)}")
    if report.source is not None:
        console.print(f"input: {_t(report.source)}")
    if report.activity is not None:
        console.print(_activity_table(report))
        console.print(_energy_table(report))
        if report.energy.ann_over_snn is not None:
            console.print(f"ANN / SNN synaptic energy: {report.energy.ann_over_snn:.2f}x")
    elif report.accuracy is None and report.build.block is None:
        console.print("activity, energy, accuracy: pass --model (and --input) to simulate the model")
    board = report.build.manifest.get("board")
    if board:
        table = _plain_table("board and host link", "", "", left=2)
        for label, value in board_rows(board, report.link):
            table.add_row(label, _t(value))
        console.print(table)
    if report.accuracy is not None:
        acc = report.accuracy
        console.print(
            f"accuracy on {acc.samples} samples: float {100 * acc.float_accuracy:.2f} %, {report.arith_label} "
            f"{100 * acc.hardware_accuracy:.2f} %, loss {100 * acc.loss:.2f} points, agreement "
            f"{100 * acc.agreement:.2f} %"
        )


def render_comparison(a: Report, b: Report, console: Console) -> None:
    """What changed from build A to build B: resources, Fmax, throughput and, with a model, accuracy and
    activity, each build simulated with its own arithmetic (fixed point or SC streams)."""
    console.print(f"A: {_t(a.build.path)}", soft_wrap=True)
    console.print(f"B: {_t(b.build.path)}", soft_wrap=True)
    if a.source is not None:
        console.print(f"input: {_t(a.source)}")
    table = _plain_table(f"B ({b.arith_label}) against A ({a.arith_label})", "", "A", "B", "B - A", "change")
    for row in compare(a, b):
        table.add_row(row.metric, quantity(row.a, row.unit), quantity(row.b, row.unit),
                      quantity(row.delta, row.unit), signed_percent(row.relative))
    console.print(table)
