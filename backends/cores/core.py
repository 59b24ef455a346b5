"""The Core protocol: one hardware block kind, bound to its parameters, driven the same way by every stage.

A core is what `compile`, `deploy` and `cosim` build: it emits its design (a BuildPlan), says what it
needs of a device (fit), predicts its own co-simulation trace from its integer twin, and knows its cycle
schedule. Everything written once against this protocol lives in `backends/compile.py`,
`backends/deploy.py` and `backends/cosim.py`; everything that must change together to stay bit-exact
lives in the core's folder under `backends/cores/`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from sc_neurocore.backends.build.plan import BuildPlan
from sc_neurocore.backends.build.stream import StreamPort, with_stream
from sc_neurocore.backends.device import Ice40Device, device, package_pins
from sc_neurocore.errors import FitError, UnsupportedError

__all__ = ["Core", "FoldedCore", "TwinFoldedCore", "check_fit"]


class Core(ABC):
    """One hardware block kind bound to its parameters: spec, integer twin and fold.

    `kind` is the block's name in every file format (a YAML spec's ``block:``, a manifest's ``block``);
    `title` is what messages call it.
    """

    kind: ClassVar[str]
    title: ClassVar[str]
    no_fold_advice: ClassVar[str] = "no fold fits"
    uses_cell_models: ClassVar[bool] = False  # its testbench simulates iCE40 primitives (SB_SPRAM256KA)
    op_kinds: ClassVar[tuple[str, ...]] = ()  # NIR block-op kinds it is built from (`from_op`)
    model_kind: ClassVar[str | None] = None  # a graph's `sc_neurocore_model` it is built from (`from_graph`)

    # How the registry (backends/cores/__init__.py) builds a core from each kind of input; a core
    # overrides the ones it accepts.
    @classmethod
    def builds_network(cls, qnet, sc) -> bool:
        """Whether this core is the one for quantised network `qnet` (`sc`: the --arith sc config or None)."""
        return False

    @classmethod
    def from_network(cls, qnet, sc) -> Core:
        raise UnsupportedError(f"{cls.title} is not built from a neuron network")

    @classmethod
    def from_spec(cls, spec) -> Core:
        raise UnsupportedError(f"{cls.title} is not built from a YAML spec")

    @classmethod
    def from_op(cls, name: str, op, settings) -> Core:
        raise UnsupportedError(f"{cls.title} is not built from a NIR block op")

    @classmethod
    def from_graph(cls, graph, settings) -> Core:
        raise UnsupportedError(f"{cls.title} is not built from a NIR graph")

    @abstractmethod
    def emit(self, stimulus: Any = None) -> BuildPlan:
        """Design, memory images, a testbench replaying `stimulus` (default: the core's own) and manifest."""

    @abstractmethod
    def expected_trace(self, stimulus: Any = None) -> list[str]:
        """The integer twin's run of `stimulus`, line for line as the testbench writes its trace."""

    @classmethod
    def example(cls) -> Core:
        """A small instance from the core's own default configuration: what the registry test emits,
        fits, co-simulates and times, so a core that skips a step fails there."""
        raise NotImplementedError(f"{cls.__name__} has no example configuration")

    def cosim_cycles(self, stimulus=None) -> int:
        """The clock cycles the testbench reports for `stimulus`, from the core's cycle model."""
        raise NotImplementedError(f"{type(self).__name__} has no cycle model")

    @property
    def lanes(self) -> int:
        """The fold: units updated per clock."""
        return 1

    def lane_choices(self) -> tuple[int, ...]:
        """Every fold this core can be built with (for fit advice)."""
        return ()

    def with_lanes(self, lanes: int) -> Core:
        """The same core folded onto `lanes` lanes."""
        raise NotImplementedError(f"{self.title} has one fold")

    def needs(self, part: Ice40Device, pins: int) -> list[str]:
        """What the core lacks on `part` with `pins` usable IOs ("12 EBR (has 8)"); empty if it fits."""
        return []

    def fold_advice(self, part: Ice40Device) -> str:
        """What to do when no fold fits `part` (default: `no_fold_advice`)."""
        return self.no_fold_advice

    def check_fit(self, device_name: str, package: str | None) -> None:
        """FitError naming what is missing and which folds would fit, before any tool runs."""
        check_fit(self, device_name, package)

    def throughput(self, fmax_mhz: float | None) -> dict | None:
        """Exact figures from the cycle model at `fmax_mhz`, or None where they depend on activity
        (the report derives those from a simulation)."""
        return None

    def cosim_sources(self, plan: BuildPlan) -> tuple[str, ...]:
        """What Icarus compiles beside the testbench (the cell models are added when needed)."""
        return plan.sources

    def rtl_trace(self, lines: list[str]) -> list[str]:
        """The testbench's trace in the order `expected_trace` writes it."""
        return lines

    def synthesise_parts(self, work_dir: Path, options) -> dict:
        """Extra build-report entries from a synthesis-only run of the design's parts (none by default)."""
        return {}

    # The host stream port (docs/host_link.md section 1): every build holds `<top>_stream` around its top.
    def stream_port(self) -> StreamPort:
        """How the native top talks: the stream wrapper's family, word widths and output burst."""
        raise NotImplementedError(f"{type(self).__name__} has no host stream port")

    def with_stream(self, plan: BuildPlan) -> BuildPlan:
        """`plan` (the core's design) with its stream wrapper, its load words' image and the manifest's
        ``stream`` section."""
        return with_stream(plan, self.stream_port(), self.stream_words()[0])

    def stream_test_stimulus(self) -> Any:
        """A stimulus on which the example's outputs are not trivial, for the stream port's test (default:
        the core's own)."""
        return None

    def stream_words(self, stimulus: Any = None) -> tuple[list[int], list[list[int]]]:
        """(load words, [input words of inference 0, 1, ...]) for `stimulus` (default: the core's own): what
        the host sends into `<top>_stream`, in the order the core's own testbench feeds its top. An
        inference is the manifest's ``stream.inference`` for a dense core (an inference, a time step, a
        position), a run of time steps for an event core."""
        raise NotImplementedError(f"{type(self).__name__} has no host stream port")

    def expected_stream_output(self, stimulus: Any = None) -> list[list[int]]:
        """[output words of inference 0, 1, ...] the integer twin predicts for `stimulus`."""
        raise NotImplementedError(f"{type(self).__name__} has no host stream port")

    def stream_outputs(self, words: list[int]) -> np.ndarray:
        """One inference's output words as the core's natural output: an event core's [steps, out_size]
        spikes (or values), a dense core's spikes or logits in their natural shape."""
        raise NotImplementedError(f"{type(self).__name__} has no host stream port")

    def twin_outputs(self, stimulus: Any = None) -> list[np.ndarray]:
        """Per inference, the integer twin's natural output: what `stream_outputs` decodes the words into."""
        raise NotImplementedError(f"{type(self).__name__} has no host stream port")


class FoldedCore(Core):
    """A core built from a block spec whose `lanes` is its fold and whose `lane_choices()` lists the others;
    `with_lanes` rebuilds it from the refolded spec (a core that also carries a twin or a stimulus passes
    them on)."""

    spec: Any

    def __init__(self, spec):
        self.spec = spec

    @classmethod
    def from_spec(cls, spec) -> Core:
        return cls(spec)

    @property
    def lanes(self) -> int:
        return self.spec.lanes

    def lane_choices(self) -> tuple[int, ...]:
        return tuple(self.spec.lane_choices())

    def with_lanes(self, lanes: int) -> Core:
        return type(self)(replace(self.spec, lanes=lanes))


class TwinFoldedCore(FoldedCore):
    """A folded core that also carries its integer twin's arrays, `fixed` (weights, thresholds, formats;
    default: `quantise(spec)`, the seed twin). The fold changes none of them: `with_lanes` keeps them."""

    fixed: Any

    def __init__(self, spec, fixed=None):
        super().__init__(spec)
        self.fixed = self.quantise(spec) if fixed is None else fixed

    @staticmethod
    @abstractmethod
    def quantise(spec) -> Any:
        """The seed twin of `spec`."""

    def with_lanes(self, lanes: int) -> Core:
        spec = replace(self.spec, lanes=lanes)
        return type(self)(spec, replace(self.fixed, spec=spec))


def check_fit(core: Core, device_name: str, package: str | None) -> None:
    """FitError when `core` lacks something on the device, naming what and which folds would fit."""
    part, pins = device(device_name), package_pins(device_name, package)
    problems = core.needs(part, pins)
    if not problems:
        return
    fitting = [lanes for lanes in core.lane_choices() if not core.with_lanes(lanes).needs(part, pins)]
    advice = f"folds that fit: lanes={', '.join(map(str, fitting))}" if fitting else core.fold_advice(part)
    raise FitError(f"{core.title} with lanes={core.lanes} does not fit {device_name}: it needs "
                   f"{', '.join(problems)}; {advice}")
