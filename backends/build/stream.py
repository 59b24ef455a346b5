"""The host stream port every build carries beside its core top (docs/host_link.md section 1), written once.

A core describes its native top's protocol as a `StreamPort` (one of two families: "events" for the
network cores' in_ready/end-of-step tops, "dense" for the busy-strobed block tops); `with_stream` adds
`<top>_stream.sv` (the generated wrapper around the unchanged native top) and `hdl/common/stream_adapter.sv`
to a plan's files and the manifest's ``stream`` section. Synthesis of a plain deploy reads `plan.sources`,
which stay the native top's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from sc_neurocore import __version__
from sc_neurocore.backends.build.plan import MANIFEST, BuildPlan
from sc_neurocore.backends.build.templates import library_files, memory_image, render_shared_template

__all__ = ["StreamPort", "ADAPTER", "LOAD_FILE", "EVENTS", "DENSE", "with_stream", "stream_module", "fifo_depth", "pack_words",
           "unpack_words", "lane_words", "words_lanes"]

ADAPTER = "stream_adapter.sv"  # hdl/common/: the one adapter both families use
LOAD_FILE = "stream_load.mem"  # the load words, as the host sends them into <top>_stream after reset
EVENTS, DENSE = "events", "dense"


def fifo_depth(burst: int) -> int:
    """Output FIFO words for a unit of at most `burst` words: the next power of two (at least 2)."""
    return max(2, 1 << (max(burst, 1) - 1).bit_length())


@dataclass(frozen=True)
class StreamPort:
    """How a native top talks, for the stream wrapper and the host codec.

    A unit is what one accepted word can set off: a time step of an event core, one inference of a
    dense core (`unit` names it: "inference", "time step", "position"). `burst` is the most output words
    one unit emits. Dense cores take `load_words` once after reset, then `unit_words` words per unit and
    emit exactly `burst` words per unit, each `out_fields` fields of `out_bits / out_fields` bits (field 0
    lowest; two's complement when `out_signed`). Event cores mark the end of a time step with the top bit
    of a word, in and out; their output words hold `value_bits` of value above `index_bits` of index, the
    index below `out_size`; an event inference is a run of time steps.
    """

    native: str
    format: str
    in_bits: int
    out_bits: int
    burst: int
    unit: str
    load_words: int = 0
    unit_words: int = 0
    index_bits: int = 0  # events: out index field
    value_bits: int = 0  # events: out value field (0: spikes only)
    out_size: int = 0  # events: output neurons
    out_fields: int = 1  # dense: fields per output word (lanes)
    out_signed: bool = False  # dense: the fields are two's complement values, not spikes
    native_in_bits: int = 0  # dense: width of the native in_data (0: the top has none)
    out_port: str = "out_spikes"  # dense: the native top's output word
    # dense, a native write port (wr_en, wr_sel, wr_addr, wr_data, start) instead of in_valid/in_data:
    # each unit is `write_sections` sections of `write_words` words (sel 0, 1, ...; addresses from 0 up),
    # then one `start`
    write_sections: int = 0
    write_words: int = 0

    def __post_init__(self):
        assert self.format in (EVENTS, DENSE), self.format
        assert self.format == DENSE or self.out_bits == self.index_bits + self.value_bits + 1
        assert self.format == EVENTS or (self.unit_words >= 1 and self.out_bits % self.out_fields == 0)
        assert not self.write_sections or self.unit_words == self.write_sections * self.write_words

    @property
    def module(self) -> str:
        return f"{self.native}_stream"

    @property
    def depth(self) -> int:
        return fifo_depth(self.burst)

    def manifest(self, load_file: str | None = None) -> dict:
        """The manifest's ``stream`` section: what a generic host codec needs (`load_file`: the load
        words' image in the build, one hex word of `in_bits` a line)."""
        section = {"module": self.module, "in_bits": self.in_bits, "out_bits": self.out_bits,
                   "format": self.format, "load_words": self.load_words, "load_file": load_file,
                   "fifo_words": self.depth, "sources": [f"{self.module}.sv", ADAPTER]}
        if self.format == EVENTS:
            section.update({"in_eos_bit": self.in_bits - 1, "in_index_bits": self.in_bits - 1,
                            "out_eos_bit": self.out_bits - 1, "out_index_bits": self.index_bits,
                            "out_value_bits": self.value_bits, "out_value_signed": bool(self.value_bits),
                            "out_size": self.out_size, "max_out_words_per_step": self.burst})
        else:
            section.update({"inference": self.unit, "in_words_per_inference": self.unit_words,
                            "out_words_per_inference": self.burst, "out_fields": self.out_fields,
                            "out_field_bits": self.out_bits // self.out_fields, "out_signed": self.out_signed})
        return section


def stream_module(port: StreamPort) -> str:
    """`<native>_stream.sv`: the contract's ports around the native top and stream_adapter."""
    context = {"version": __version__, "top": port.module, "native": port.native, "format": port.format,
               "in_bits": port.in_bits, "out_bits": port.out_bits, "depth": port.depth, "burst": port.burst,
               "unit": port.unit, "load_words": port.load_words,
               "unit_words": 0 if port.format == EVENTS else port.unit_words, "index_bits": port.index_bits,
               "value_bits": port.value_bits, "native_in_bits": port.native_in_bits, "out_port": port.out_port,
               "write_sections": port.write_sections, "write_words": port.write_words,
               "write_addr_bits": max(1, (port.write_words - 1).bit_length())}
    return render_shared_template("stream_top.sv.j2", context)


def with_stream(plan: BuildPlan, port: StreamPort, load_words=()) -> BuildPlan:
    """`plan` with the stream wrapper's files, the image of `load_words` (if any) and the manifest's
    ``stream`` section; its top, sources and memory files (what synthesis reads) unchanged."""
    assert len(load_words) == port.load_words
    load = {LOAD_FILE: memory_image(load_words, port.in_bits)} if load_words else {}
    manifest = dict(plan.manifest, stream=port.manifest(LOAD_FILE if load_words else None))
    files = {**plan.files, f"{port.module}.sv": stream_module(port), **library_files((ADAPTER,)), **load,
             MANIFEST: json.dumps(manifest, indent=2, sort_keys=True) + "\n"}
    return BuildPlan(files=files, top=plan.top, sources=plan.sources, memory_files=plan.memory_files,
                     manifest=manifest)


def pack_words(fields, bits: int) -> int:
    """0/1 `fields` as one word, field i at bit i * bits (`bits` per field)."""
    word = 0
    for i, value in enumerate(fields):
        word |= (int(value) & ((1 << bits) - 1)) << (i * bits)
    return word


def unpack_words(word: int, count: int, bits: int, signed: bool = False) -> list[int]:
    """The `count` fields of `bits` bits of `word`, field 0 lowest."""
    mask, values = (1 << bits) - 1, []
    for i in range(count):
        value = (int(word) >> (i * bits)) & mask
        values.append(value - (1 << bits) if signed and value >> (bits - 1) else value)
    return values


def lane_words(bits, lanes: int) -> list[int]:
    """0/1 `bits` (flattened) as words of `lanes` bits, bit l of word k = bits[k * lanes + l]."""
    flat = [int(b) for b in np.asarray(bits).ravel()]
    return [pack_words(flat[k:k + lanes], 1) for k in range(0, len(flat), lanes)]


def words_lanes(words, lanes: int):
    """Inverse of `lane_words`: the flat 0/1 array of `words` of `lanes` bits."""
    return np.array([bit for word in words for bit in unpack_words(word, lanes, 1)], dtype=np.int64)
