"""The host link of a board build: bytes per inference, link time against core time, and which one bounds.

`deploy --board` records the link in the build report (`board.link`): the baud rate, the bytes a word
takes each way, the largest payload and the frame sizes of docs/host_link.md. This module only does the
arithmetic, so it needs no knowledge of the protocol beyond those recorded numbers.

One inference runs one at a time: the host sends the input in RUN frames of at most `max_payload` bytes,
waiting for each frame's ACK; the core computes; its output words come back in DATA frames. A UART byte
is 10 bits on the wire (8N1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sc_neurocore.errors import InputError

from .numbers import seconds, si

__all__ = ["LinkFigures", "link_figures", "board_rows", "core_clock_mhz", "UART_BITS_PER_BYTE"]

UART_BITS_PER_BYTE = 10  # start bit, 8 data bits, stop bit


@dataclass(frozen=True)
class LinkFigures:
    bytes_to_device: int
    bytes_from_device: int
    link_seconds: float  # both directions, one after the other (stop-and-wait): an upper bound on the wire
    core_seconds: float | None

    @property
    def bytes_per_inference(self) -> int:
        return self.bytes_to_device + self.bytes_from_device

    @property
    def bound(self) -> str:
        """What limits inferences per second: "link" or "core" (unknown core time: "link")."""
        if self.core_seconds is None or self.link_seconds >= self.core_seconds:
            return "link"
        return "core"

    @property
    def inferences_per_second(self) -> float:
        return 1.0 / (self.link_seconds + (self.core_seconds or 0.0))

    def to_dict(self) -> dict:
        return {"bytes_to_device": self.bytes_to_device, "bytes_from_device": self.bytes_from_device,
                "bytes_per_inference": self.bytes_per_inference, "link_seconds": self.link_seconds,
                "core_seconds": self.core_seconds, "bound": self.bound,
                "inferences_per_second": self.inferences_per_second}


def core_clock_mhz(fmax_mhz: float | None, board: dict | None) -> float | None:
    """The clock a core runs at: a board build's core clock (when placed and routed at it, i.e. its Fmax
    is at least that), else its Fmax; None without timing."""
    if board is None or fmax_mhz is None:
        return fmax_mhz
    return min(fmax_mhz, float(board["core_clock_mhz"]))


def _frames(payload_bytes: int, max_payload: int, word_bytes: int) -> int:
    """How many frames carry `payload_bytes` when a frame holds whole words only."""
    per_frame = (max_payload // word_bytes) * word_bytes
    return math.ceil(payload_bytes / per_frame) if payload_bytes else 0


def link_figures(link: dict, words_in: int, words_out: int, core_seconds: float | None) -> LinkFigures:
    """The link's share of one inference of `words_in` input and `words_out` output words.

    `link` is the build report's `board.link`: baud, in_word_bytes, out_word_bytes, max_payload,
    frame_bytes (header and CRC around a payload) and ack_bytes (a whole ACK frame).
    """
    try:
        baud = int(link["baud"])
        in_bytes, out_bytes = int(link["in_word_bytes"]), int(link["out_word_bytes"])
        max_payload, frame, ack = int(link["max_payload"]), int(link["frame_bytes"]), int(link["ack_bytes"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"the build report's board link is incomplete: {exc!r}") from exc
    if min(baud, in_bytes, out_bytes, max_payload) < 1 or words_in < 0 or words_out < 0:
        raise InputError(f"the build report's board link is not a valid link: {link!r}")
    up_payload, down_payload = words_in * in_bytes, words_out * out_bytes
    run_frames = _frames(up_payload, max_payload, in_bytes)
    to_device = up_payload + run_frames * frame
    from_device = down_payload + _frames(down_payload, max_payload, out_bytes) * frame + run_frames * ack
    seconds = (to_device + from_device) * UART_BITS_PER_BYTE / baud
    return LinkFigures(to_device, from_device, seconds, core_seconds)


def board_rows(board: dict, link: LinkFigures | None) -> list[tuple[str, str]]:
    """The board, its clock and the link's share of an inference, as (label, value) rows for the terminal
    and the HTML page alike."""
    rows = [("board", f"{board['name']} (iCE40 {board['device'].upper()}-{board['package']})"),
            ("core clock", board["clock_reason"]),
            ("UART", f"{board['baud']:,} baud, {board['clks_per_bit']} clocks per bit"),
            ("build id", board["build_id"])]
    if link is None:
        return rows + [("link per inference", "event cores: give --model (and --input) to count the words")]
    core = "-" if link.core_seconds is None else seconds(link.core_seconds)
    return rows + [
        ("bytes per inference", f"{link.bytes_to_device:,} to the board, {link.bytes_from_device:,} back"),
        ("link time / core time", f"{seconds(link.link_seconds)} / {core}"),
        ("bounded by", f"the {link.bound}; {si(link.inferences_per_second)} inferences / s one at a time"),
    ]
