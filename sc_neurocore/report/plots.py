"""Report plots as inline SVG text, drawn with matplotlib's object API (no pyplot global state).

Text stays text (`svg.fonttype: none`) and ids come from a fixed salt, so the same report gives the
same bytes.
"""

import io

import matplotlib
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

from .activity import Activity
from .build import Build

__all__ = ["utilisation_svg", "rates_svg", "raster_svg"]

_STYLE = {"svg.fonttype": "none", "svg.hashsalt": "sc-neurocore", "font.size": 9}
_ROUTING_LIMIT = 80.0  # percent of logic cells above which place-and-route struggles
_RASTERISE_ABOVE = 20_000  # spikes; beyond this the raster's markers become one embedded image


def _svg(figure: Figure) -> str:
    stream = io.StringIO()
    with matplotlib.rc_context(_STYLE):
        FigureCanvasSVG(figure).print_svg(stream, metadata={"Date": None})
    text = stream.getvalue()
    return text[text.index("<svg"):]  # drop the XML prolog and doctype: the SVG sits inside HTML


def _figure(width: float, height: float) -> Figure:
    with matplotlib.rc_context(_STYLE):
        return Figure(figsize=(width, height), layout="constrained")


def utilisation_svg(builds: list[Build]) -> str:
    """Percent of each device resource used, one bar per build."""
    names = list(dict.fromkeys(r.name for b in builds for r in b.report.resources if r.available))
    figure = _figure(6.5, 0.35 * len(names) * len(builds) + 1.0)
    axes = figure.add_subplot()
    height = 0.8 / len(builds)
    for index, build in enumerate(builds):
        percent = {r.name: r.percent or 0.0 for r in build.report.resources}
        positions = [i + index * height for i in range(len(names))]
        axes.barh(positions, [percent.get(n, 0.0) for n in names], height=height,
                  label=str(build.path) if len(builds) > 1 else None)
    axes.set_yticks([i + height * (len(builds) - 1) / 2 for i in range(len(names))], names)
    axes.invert_yaxis()
    axes.axvline(_ROUTING_LIMIT, color="0.4", linestyle="--", linewidth=0.8)
    axes.set_xlim(0, 100)
    axes.set_xlabel("% of the device")
    if len(builds) > 1:
        axes.legend(loc="lower right")
    return _svg(figure)


def rates_svg(activity: Activity) -> str:
    """Mean firing rate per spiking layer, in Hz of model time."""
    layers = [layer for layer in activity.layers if layer.spiking]
    figure = _figure(6.5, 0.35 * len(layers) + 1.0)
    axes = figure.add_subplot()
    axes.barh([layer.name for layer in layers], [layer.rate_hz for layer in layers], color="tab:orange")
    axes.invert_yaxis()
    axes.set_xlabel("mean rate (Hz of model time)")
    return _svg(figure)


def raster_svg(activity: Activity) -> str:
    """Spikes of sample 0: one row per neuron, layers stacked from the input upwards."""
    figure = _figure(6.5, 3.2)
    axes = figure.add_subplot()
    offset, ticks = 0, []
    total = sum(len(row.steps) for row in activity.raster)
    for row in activity.raster:
        axes.scatter(row.steps, [offset + n for n in row.neurons], s=4, marker="|", linewidths=0.8,
                     label=row.name, rasterized=total > _RASTERISE_ABOVE)
        ticks.append(offset + row.size / 2)
        offset += row.size
        axes.axhline(offset - 0.5, color="0.85", linewidth=0.6)
    axes.set_yticks(ticks, [row.name for row in activity.raster])
    axes.set_xlim(-0.5, activity.steps - 0.5)
    axes.set_ylim(-0.5, max(offset, 1) - 0.5)
    axes.set_xlabel("time step")
    return _svg(figure)
