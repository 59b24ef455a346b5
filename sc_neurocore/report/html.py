"""The report as one self-contained HTML page: tables and inline SVG plots, no scripts, no links out."""

import html
from pathlib import Path

from sc_neurocore.atomic import atomic_write_text, check_target
from sc_neurocore.errors import InputError

from .document import Report, compare, throughput_gap
from .link import board_rows
from .numbers import quantity, seconds, si, signed_percent
from .plots import raster_svg, rates_svg, utilisation_svg

__all__ = ["render_html", "save_html", "check_html_target"]

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 60em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { padding: 0.2em 0.8em; border-bottom: 1px solid #ddd; text-align: right; }
th:first-child, td:first-child, table.facts td { text-align: left; }
section { margin-bottom: 1.5em; }
.note { color: #555; font-size: 0.9em; }
svg { max-width: 100%; height: auto; }
"""


def _e(value) -> str:
    return html.escape(str(value))


def _table(header: list[str], rows: list[list], kind: str = "figures") -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{kind}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _section(name: str, title: str, *parts: str) -> str:
    return f'<section class="{name}"><h3>{_e(title)}</h3>{"".join(parts)}</section>'


def _note(text: str) -> str:
    return f'<p class="note">{_e(text)}</p>'


def _build(report: Report) -> str:
    build, prov = report.build, report.build.provenance
    rows = [["top", build.report.top], ["device", f"iCE40 {build.report.device.upper()}-{build.report.package}"],
            ["tools", ", ".join(f"{n} {v}" for n, v, _ in build.report.tools)],
            ["model", prov.get("model", "-")], ["commit", prov.get("commit") or "-"]]
    rows += [[f"option {k}", v] for k, v in sorted((prov.get("options") or {}).items())]
    return _section("build", "Build", _table(["", ""], rows, "facts"))


def _resources(report: Report) -> str:
    rows = [[r.name, r.used, "-" if r.available is None else r.available,
             "-" if r.percent is None else f"{r.percent:.1f}"] for r in report.build.report.resources]
    return _section("resources", "Resources", _table(["resource", "used", "available", "%"], rows),
                    utilisation_svg([report.build]), _note("dashed line: 80 % of the device, the routing limit"))


def _timing(report: Report) -> str:
    rows = [[clock, f"{achieved:.1f} MHz", "-" if constraint is None else f"{constraint:g} MHz"]
            for clock, (achieved, constraint) in report.build.report.fmax_mhz.items()]
    paths = [[f"{p.from_clock} -> {p.to_clock}", f"{p.delay_ns:.2f} ns", f"{p.logic_ns:.2f} ns",
              f"{p.routing_ns:.2f} ns"] for p in report.build.report.critical_paths]
    return _section("timing", "Timing", _table(["clock", "achieved", "constraint"], rows),
                    _table(["critical path", "delay", "logic", "routing"], paths))


def _throughput(report: Report) -> str:
    t = report.throughput
    if t is None:
        return _section("throughput", "Throughput", _note(throughput_gap(report)))
    rows = [["cycles per step (min / mean / max)",
             f"{t.min_cycles_per_step} / {si(t.mean_cycles_per_step)} / {t.max_cycles_per_step}"],
            ["time steps per second", si(t.measured_steps_per_second)],
            ["worst-case time steps per second", si(t.worst_steps_per_second)],
            ["inferences per second", si(t.inferences_per_second)],
            ["time per inference", seconds(t.seconds_per_inference)],
            ["real-time factor", si(t.real_time_factor)]]
    return _section("throughput", "Throughput", _table(["at " + f"{t.fmax_mhz:.1f} MHz", ""], rows),
                    _note(f"cycles from the {t.core} schedule (exact for the simulated events); the host streams "
                          "one input word per clock"))


def _board(report: Report) -> str:
    rows = [list(row) for row in board_rows(report.build.manifest["board"], report.link)]
    return _section("board", "Board and host link", _table(["", ""], rows, "facts"),
                    _note("link: UART 8N1 frames of docs/host_link.md, one inference at a time (stop and wait)"))


def _activity(report: Report) -> str:
    a = report.activity
    rows = [[layer.name, layer.kind, layer.size, layer.spikes if layer.spiking else "-",
             f"{layer.rate:.4f}" if layer.spiking else "(membrane)", si(layer.rate_hz, "Hz") if layer.spiking else "-"]
            for layer in a.layers]
    return _section("activity", "Activity", _note(f"input: {report.source}"),
                    _table(["layer", "model", "neurons", "spikes", "rate / step", "rate"], rows),
                    rates_svg(a), raster_svg(a), _note("raster of sample 0"))


def _energy(report: Report) -> str:
    e = report.energy
    rows = [["SNN synaptic accumulates", si(e.synaptic_acs), f"{e.snn_synaptic_nj:.3g} nJ"],
            ["ANN multiply-accumulates", si(e.ann_macs), f"{e.ann_nj:.3g} nJ"],
            ["SNN neuron-update multiplies", si(e.neuron_macs), f"{e.neuron_update_nj:.3g} nJ"]]
    ratio = "-" if e.ann_over_snn is None else f"{e.ann_over_snn:.2f}x"
    return _section("energy", "Energy (estimate)", _table(["per inference", "operations", "energy"], rows),
                    _note(f"estimate: E_AC = {e.e_ac_pj} pJ, E_MAC = {e.e_mac_pj} pJ (45 nm); ANN / SNN synaptic "
                          f"energy {ratio}; arithmetic only, no memory traffic or static power"))


def _accuracy(report: Report) -> str:
    acc = report.accuracy
    rows = [["float", f"{100 * acc.float_accuracy:.2f} %"],
            [f"{report.arith_label} (hardware)", f"{100 * acc.hardware_accuracy:.2f} %"],
            ["loss", f"{100 * acc.loss:.2f} points"], ["agreement", f"{100 * acc.agreement:.2f} %"]]
    return _section("accuracy", "Accuracy", _table([f"{acc.samples} samples", ""], rows))


def _article(report: Report) -> str:
    parts = [_build(report), _resources(report), _timing(report), _throughput(report)]
    if report.activity is not None:
        parts += [_activity(report), _energy(report)]
    if report.accuracy is not None:
        parts.append(_accuracy(report))
    if report.build.manifest.get("board"):
        parts.append(_board(report))
    return f"<article><h2>{_e(report.build.path)} ({_e(report.arith_label)})</h2>{''.join(parts)}</article>"


def _comparison(a: Report, b: Report) -> str:
    rows = [[row.metric, quantity(row.a, row.unit), quantity(row.b, row.unit), quantity(row.delta, row.unit),
             signed_percent(row.relative)] for row in compare(a, b)]
    source = "" if a.source is None else _note(f"input: {a.source}; each build simulated with its own arithmetic")
    return ('<section class="comparison"><h2>Comparison</h2>' + source
            + _table(["", f"A: {a.build.path} ({a.arith_label})", f"B: {b.build.path} ({b.arith_label})", "B - A",
                      "change"], rows)
            + utilisation_svg([a.build, b.build]) + "</section>")


def render_html(reports: list[Report]) -> str:
    """One page: the comparison first when there are two reports, then each build."""
    body = _comparison(*reports) if len(reports) == 2 else ""
    body += "".join(_article(report) for report in reports)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>sc-neurocore report</title>'
            f"<style>{_CSS}</style></head><body><h1>sc-neurocore report</h1>{body}</body></html>\n")


def check_html_target(path, force: bool) -> None:
    """Refuse to replace an existing file without `force` (checked before any work is done)."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path} is a directory; name the HTML file to write")
    check_target(path, force)


def save_html(path, text: str, force: bool) -> None:
    """Write whole or not at all: a temporary file beside the target, then a rename."""
    path = Path(path)
    check_html_target(path, force)
    atomic_write_text(path, text)
