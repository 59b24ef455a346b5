"""Frames of the UART host link (docs/host_link.md §2): CRC-16, frame encoding and decoding, word packing."""

from __future__ import annotations

from dataclasses import dataclass

from sc_neurocore.errors import InputError

__all__ = [
    "SYNC_HOST", "SYNC_DEVICE", "IDENTIFY", "LOAD", "RUN", "STATUS", "RESET", "ANSWER_IDENTIFY", "ACK", "DATA",
    "ANSWER_STATUS", "NAK", "NAK_REASONS", "PROTOCOL_VERSION", "MAGIC", "HEADER_BYTES", "CRC_BYTES",
    "FRAME_OVERHEAD", "ACK_FRAME_BYTES", "Frame", "crc16_ccitt", "encode_frame", "FrameDecoder", "word_bytes",
    "pack_words", "unpack_words", "link_record",
]

SYNC_HOST, SYNC_DEVICE = 0xA5, 0x5A
IDENTIFY, LOAD, RUN, STATUS, RESET = 0x01, 0x02, 0x03, 0x04, 0x05
ANSWER_IDENTIFY, ACK, DATA, ANSWER_STATUS, NAK = 0x81, 0x82, 0x83, 0x84, 0xEE
NAK_REASONS = {1: "CRC mismatch", 2: "framing error (stop bit low)", 3: "LEN above MAX_PAYLOAD or not whole words",
               4: "unknown command", 5: "frame stopped halfway (timeout)"}
PROTOCOL_VERSION = 1
MAGIC = b"SCNC"
HEADER_BYTES = 4  # sync, command or code, LEN (2)
CRC_BYTES = 2
MAX_LEN = 0xFFFF
FRAME_OVERHEAD = HEADER_BYTES + CRC_BYTES  # bytes around a payload
ACK_FRAME_BYTES = FRAME_OVERHEAD + 2  # an ACK carries the number of words taken


def crc16_ccitt(data: bytes, crc: int = 0xFFFF) -> int:
    """CRC-16/CCITT-FALSE: polynomial 0x1021, initial 0xFFFF, no reflection, no final xor."""
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


@dataclass(frozen=True)
class Frame:
    code: int  # the command (host -> device) or the answer code (device -> host)
    payload: bytes = b""


def encode_frame(code: int, payload: bytes = b"", sync: int = SYNC_HOST) -> bytes:
    """sync | code | LEN (LE) | payload | CRC (LE) over code, LEN and payload."""
    if not 0 <= code <= 0xFF or len(payload) > MAX_LEN:
        raise InputError(f"a frame needs a code in 0..255 and at most {MAX_LEN} payload bytes")
    body = bytes([code]) + len(payload).to_bytes(2, "little") + bytes(payload)
    return bytes([sync]) + body + crc16_ccitt(body).to_bytes(2, "little")


class FrameDecoder:
    """Incremental decoder of one direction's frames: skips bytes before a sync byte, checks each CRC.

    `feed(data)` returns the frames completed by `data`; a frame whose CRC fails (or whose LEN is past
    `max_len`) raises `ValueError`, so the caller decides what a corrupted frame means.
    """

    def __init__(self, sync: int = SYNC_DEVICE, max_len: int = MAX_LEN) -> None:
        self.sync, self.max_len = sync, max_len
        self._buffer = bytearray()
        self.skipped = 0  # bytes dropped before a sync byte

    def needed(self) -> int:
        """At least how many more bytes complete the frame under way (1 when waiting for a sync byte)."""
        if not self._buffer:
            return 1
        if len(self._buffer) < HEADER_BYTES:
            return HEADER_BYTES - len(self._buffer)
        length = int.from_bytes(self._buffer[2:4], "little")
        return HEADER_BYTES + length + CRC_BYTES - len(self._buffer)

    def feed(self, data: bytes) -> list[Frame]:
        frames = []
        for byte in data:
            if not self._buffer and byte != self.sync:
                self.skipped += 1
                continue
            self._buffer.append(byte)
            if len(self._buffer) == HEADER_BYTES and int.from_bytes(self._buffer[2:4], "little") > self.max_len:
                bad = bytes(self._buffer)
                self._buffer.clear()
                raise ValueError(f"frame header {bad.hex()} announces more than {self.max_len} payload bytes")
            if len(self._buffer) >= HEADER_BYTES and self.needed() == 0:
                frame = bytes(self._buffer)
                self._buffer.clear()
                body, crc = frame[1:-CRC_BYTES], int.from_bytes(frame[-CRC_BYTES:], "little")
                if crc16_ccitt(body) != crc:
                    raise ValueError(f"frame {frame[:8].hex()}... fails its CRC")
                frames.append(Frame(body[0], body[HEADER_BYTES - 1:]))
        return frames


def word_bytes(bits: int) -> int:
    """Bytes a word of `bits` bits takes on the link: ceil(bits / 8)."""
    return (bits + 7) // 8


def pack_words(words, bits: int) -> bytes:
    """Words as ceil(bits/8) little-endian bytes each; every word must fit `bits` bits unsigned."""
    size, out = word_bytes(bits), bytearray()
    for word in words:
        word = int(word)
        if not 0 <= word < 1 << bits:
            raise InputError(f"word {word} does not fit {bits} unsigned bits")
        out += word.to_bytes(size, "little")
    return bytes(out)


def unpack_words(payload: bytes, bits: int) -> list[int]:
    """The words of a payload of whole ceil(bits/8)-byte little-endian words."""
    size = word_bytes(bits)
    if len(payload) % size:
        raise ValueError(f"a payload of {len(payload)} bytes is not whole {size}-byte words")
    mask = (1 << bits) - 1
    return [int.from_bytes(payload[i:i + size], "little") & mask for i in range(0, len(payload), size)]


def link_record(in_bits: int, out_bits: int, max_payload: int, baud: int) -> dict:
    """The numbers of a board build's link, as a build report records them (`board.link`, read by
    sc_neurocore.report.link): baud, bytes per word each way, the largest payload, frame sizes."""
    return {"baud": baud, "in_word_bytes": word_bytes(in_bits), "out_word_bytes": word_bytes(out_bits),
            "max_payload": max_payload, "frame_bytes": FRAME_OVERHEAD, "ack_bytes": ACK_FRAME_BYTES}
