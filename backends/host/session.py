"""A board build driven from the host: the build read back, inferences run over a `HostLink` (a serial
port, or the board top simulated at its UART pins), and the words checked against the integer twin.

The core that encodes inputs into stream words and decodes output words is rebuilt from the build's own
model and options; its plan must give the build id the board reports, so the host never talks to
hardware with another build's codec.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from sc_neurocore.backends.board.build import build_id
from sc_neurocore.backends.build.plan import MANIFEST, with_provenance
from sc_neurocore.backends.cores.core import Core
from sc_neurocore.backends.cosim import ICE40_MODELS, ice40_cell_models
from sc_neurocore.backends.host.errors import LinkError
from sc_neurocore.backends.host.link import HostLink
from sc_neurocore.backends.host.transport import SimulatorTransport
from sc_neurocore.errors import InputError

__all__ = ["BoardBuild", "BoardRun", "check_core", "run_inferences"]


@dataclass(frozen=True)
class BoardBuild:
    """A build directory written by `deploy --board`: its manifest, board and stream sections."""

    path: Path
    manifest: dict

    @classmethod
    def load(cls, build_dir) -> BoardBuild:
        path = Path(build_dir)
        manifest_file = path / MANIFEST
        if not manifest_file.is_file():
            raise InputError(f"{path}: no {MANIFEST}; is it a directory written by `sc-neurocore deploy`?")
        try:
            manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise InputError(f"{manifest_file} is not a build manifest ({error})") from None
        if not isinstance(manifest, dict) or not isinstance(manifest.get("board"), dict):
            raise InputError(f"{path} was deployed without a board: deploy it again with --board NAME")
        if not isinstance(manifest.get("stream"), dict):
            raise InputError(f"{manifest_file} has no stream section: deploy it again with this sc-neurocore")
        return cls(path, manifest)

    @property
    def board(self) -> dict:
        return self.manifest["board"]

    @property
    def stream(self) -> dict:
        return self.manifest["stream"]

    @property
    def build_id(self) -> bytes:
        return bytes.fromhex(self.board["build_id"])

    def _text(self, name: str) -> str:
        file = self.path / name
        if not file.is_file():
            raise InputError(f"{self.path}: {name} is missing; deploy again to rewrite the build")
        return file.read_text(encoding="utf-8")

    def simulator(self, work_dir: Path | None = None, **options) -> SimulatorTransport:
        """The board top in Icarus (PLL bypassed), with the build's own sources and memory images."""
        sources = {name: self._text(name) for name in self.manifest["sources"]}
        sources[ICE40_MODELS] = ice40_cell_models()  # SPRAM and other primitives some cores instantiate
        if not isinstance(self.board.get("memory_files"), list):
            raise InputError(f"{self.path}: the board section lists no memory images; deploy it again")
        data = {name: self._text(name) for name in self.board["memory_files"]}
        return SimulatorTransport(sources, top=self.manifest["top"], clks_per_bit=int(self.board["clks_per_bit"]),
                                  clock_hz=float(self.board["core_clock_mhz"]) * 1e6, work_dir=work_dir,
                                  data_files=data, **options)


def check_core(core: Core, build: BoardBuild) -> None:
    """Refuse a core whose plan is not the one the build was made from (the model or sc-neurocore changed)."""
    plan = with_provenance(core.emit(), build.manifest.get("provenance"))
    if build_id(plan) != build.build_id:
        raise InputError(f"the model no longer gives build {build.build_id.hex()} (it or sc-neurocore changed "
                         f"since the deploy): deploy it again")


@dataclass(frozen=True)
class BoardRun:
    """Inferences run on a board: output words and their decoding, the twin's words, link counters."""

    words: list[list[int]]
    outputs: list[np.ndarray]
    expected: list[list[int]]
    seconds: float
    bytes_to_device: int
    bytes_from_device: int

    @property
    def mismatches(self) -> int:
        """Inferences whose words differ from the integer twin's."""
        return sum(got != want for got, want in zip(self.words, self.expected)) + abs(
            len(self.words) - len(self.expected))


def _done(stream: dict, words_in: list[int]) -> Callable[[list[int]], bool]:
    """When one inference's output words are complete: a dense core's fixed count, or an event core's
    one end-of-step word per input step."""
    if stream["format"] == "events":
        steps = sum(word >> stream["in_eos_bit"] & 1 for word in words_in)
        eos = stream["out_eos_bit"]
        return lambda out: sum(word >> eos & 1 for word in out) >= steps
    count = int(stream["out_words_per_inference"])
    return lambda out: len(out) >= count


def run_inferences(link: HostLink, build: BoardBuild, core: Core, stimuli: list[Any],
                   progress: Callable[[int, int], None] | None = None) -> BoardRun:
    """Identify the board (refusing another build); for every stimulus reset the core, send its load words
    and run its inferences, decoding the output words and taking the twin's words beside them."""
    identity = link.identify()
    if identity.build_id != build.build_id:
        raise LinkError(f"the board runs build {identity.build_id.hex()}, this is build {build.build_id.hex()}: "
                        f"flash it first")
    stream = build.stream
    if (identity.in_bits, identity.out_bits) != (stream["in_bits"], stream["out_bits"]):
        raise LinkError(f"the board's stream words are {identity.in_bits}/{identity.out_bits} bits, the build's "
                        f"{stream['in_bits']}/{stream['out_bits']}")
    started, sent, received = time.perf_counter(), link.transport.bytes_written, link.transport.bytes_read
    words, outputs, expected = [], [], []
    units = [(stimulus, core.stream_words(stimulus)) for stimulus in stimuli]
    total = sum(len(inferences) for _, (_, inferences) in units)
    for stimulus, (load, inferences) in units:
        # The twin runs every stimulus from a fresh core (an event core keeps its membranes from step to
        # step, an SSM its state): so does the board. A reset core takes its load words again.
        link.reset()
        if load:
            link.load(load)
        for words_in in inferences:
            out = link.run(words_in, _done(stream, words_in))
            words.append(out)
            outputs.append(core.stream_outputs(out))
            if progress:
                progress(len(words), total)
        expected += core.expected_stream_output(stimulus)
    return BoardRun(words, outputs, expected, time.perf_counter() - started,
                    link.transport.bytes_written - sent, link.transport.bytes_read - received)
