"""`HostLink`: IDENTIFY, LOAD, RUN and STATUS over any `Transport` (docs/host_link.md §2).

Stop and wait: one LOAD/RUN frame, then its ACK before the next. DATA frames may arrive at any time (also
while waiting for an ACK) and their words are kept in order. A NAK resends the same frame, up to
`retries` times; a silent device is a `LinkTimeoutError`, never a resend (a frame the device did take
would then reach the core twice).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sc_neurocore.errors import InputError
from sc_neurocore.backends.host.errors import LinkError, LinkTimeoutError
from sc_neurocore.backends.host.protocol import (
    ACK, ANSWER_IDENTIFY, ANSWER_STATUS, DATA, IDENTIFY, LOAD, MAGIC, NAK,
    NAK_REASONS, PROTOCOL_VERSION, RESET, RUN, STATUS, Frame, FrameDecoder, encode_frame, pack_words, unpack_words,
    word_bytes,
)
from sc_neurocore.backends.host.transport import Transport

__all__ = ["Identity", "LinkStatus", "HostLink"]

_COMMAND_NAMES = {IDENTIFY: "IDENTIFY", LOAD: "LOAD", RUN: "RUN", STATUS: "STATUS", RESET: "RESET"}
_ANSWERS = {IDENTIFY: ANSWER_IDENTIFY, LOAD: ACK, RUN: ACK, STATUS: ANSWER_STATUS, RESET: ACK}


@dataclass(frozen=True)
class Identity:
    protocol: int
    in_bits: int
    out_bits: int
    max_payload: int
    build_id: bytes


@dataclass(frozen=True)
class LinkStatus:
    status: int  # the stream port's status word
    crc_errors: int
    framing_errors: int

    @property
    def busy(self) -> bool:
        return bool(self.status & 1)

    @property
    def overflow(self) -> bool:
        return bool(self.status & 2)


def _identity(payload: bytes) -> Identity:
    if len(payload) != 25 or payload[:4] != MAGIC:
        raise LinkError(f"the device's IDENTIFY answer is not an sc-neurocore link: {payload[:8].hex()}...")
    identity = Identity(payload[4], payload[5], payload[6], int.from_bytes(payload[7:9], "little"),
                        bytes(payload[9:25]))
    if identity.protocol != PROTOCOL_VERSION:
        raise LinkError(f"the device speaks link protocol {identity.protocol}; this host speaks {PROTOCOL_VERSION}")
    if min(identity.in_bits, identity.out_bits) < 1 or identity.max_payload < max(
            word_bytes(identity.in_bits), word_bytes(identity.out_bits)):
        raise LinkError(f"the device reports an impossible link: {identity}")
    return identity


class HostLink:
    """The host end of one board link. `timeout_s`: how long to wait for each answer or DATA frame."""

    def __init__(self, transport: Transport, timeout_s: float = 1.0, retries: int = 3) -> None:
        if not 0 < timeout_s < float("inf"):
            raise InputError(f"timeout_s must be positive, got {timeout_s!r}")
        if not isinstance(retries, int) or retries < 0:
            raise InputError(f"retries must be a non-negative integer, got {retries!r}")
        self.transport, self.timeout_s, self.retries = transport, timeout_s, retries
        self._decoder = FrameDecoder()
        self._identity: Identity | None = None
        self._words: deque[int] = deque()  # DATA words received and not yet returned by run()
        self.stale_bytes = 0  # DATA bytes dropped because they came before this session's IDENTIFY
        self.nak_codes: list[int] = []  # every NAK's reason so far (each one was resent or ended in an error)

    # ------------------------------------------------------------------ frames
    def _next_frame(self, waiting_for: str) -> Frame:
        """The next frame from the device; DATA frames are the caller's business too."""
        while True:
            # Asking only for the bytes that complete the frame under way: at most one frame per read.
            data = self.transport.read(self._decoder.needed(), self.timeout_s)
            if not data:
                raise LinkTimeoutError(
                    f"no answer from the device within {self.timeout_s:g} s while waiting for {waiting_for}; "
                    "check the port, the baud rate and that the board runs the link bitstream")
            try:
                frames = self._decoder.feed(data)
            except ValueError as exc:
                raise LinkError(f"corrupted frame from the device while waiting for {waiting_for}: {exc}") from exc
            if frames:
                return frames[0]

    def _take_data(self, frame: Frame) -> None:
        if self._identity is None:
            # Words left over from an earlier session (this one has sent no input yet): not ours.
            self.stale_bytes += len(frame.payload)
            return
        try:
            self._words.extend(unpack_words(frame.payload, self._identity.out_bits))
        except ValueError as exc:
            raise LinkError(f"DATA frame from the device: {exc}") from exc

    def _exchange(self, command: int, payload: bytes = b"") -> Frame:
        """Send one frame and return its answer, resending on NAK; DATA frames meanwhile are kept."""
        name = _COMMAND_NAMES[command]
        frame = encode_frame(command, payload)
        for attempt in range(self.retries + 1):
            self.transport.write(frame)
            while True:
                answer = self._next_frame(f"the answer to {name}")
                if answer.code == DATA:
                    self._take_data(answer)
                    continue
                break
            if answer.code == _ANSWERS[command]:
                return answer
            if answer.code != NAK:
                raise LinkError(f"the device answered {name} with code 0x{answer.code:02x}")
            reason = answer.payload[0] if answer.payload else 0
            self.nak_codes.append(reason)
            if attempt == self.retries:
                raise LinkError(f"the device refused {name} {self.retries + 1} times; last NAK {reason}: "
                                f"{NAK_REASONS.get(reason, 'unknown reason')}")
        raise AssertionError("unreachable")

    # ------------------------------------------------------------------ commands
    def identify(self) -> Identity:
        self._identity = _identity(self._exchange(IDENTIFY).payload)
        return self._identity

    def status(self) -> LinkStatus:
        payload = self._exchange(STATUS).payload
        if len(payload) != 4:
            raise LinkError(f"the device's STATUS answer has {len(payload)} bytes, expected 4")
        return LinkStatus(int.from_bytes(payload[:2], "little"), payload[2], payload[3])

    def _send_words(self, command: int, words: Iterable[int]) -> None:
        identity = self._identity or self.identify()
        data = pack_words(words, identity.in_bits)
        size = word_bytes(identity.in_bits)
        chunk = identity.max_payload // size * size
        for start in range(0, len(data), chunk):
            part = data[start:start + chunk]
            answer = self._exchange(command, part)
            taken = int.from_bytes(answer.payload[:2], "little")
            if len(answer.payload) != 2 or taken != len(part) // size:
                raise LinkError(f"the device took {taken} words of a frame of {len(part) // size}")

    def reset(self) -> None:
        """Return the core to its power-on state (the link keeps its own); load words go again after it."""
        self._exchange(RESET)
        self._words.clear()  # nothing the core made before the reset belongs to what comes next

    def load(self, words: Iterable[int]) -> None:
        """Send the load words (weights), in frames of at most MAX_PAYLOAD bytes."""
        self._send_words(LOAD, words)

    def run(self, words: Iterable[int], done: Callable[[list[int]], bool]) -> list[int]:
        """Send `words` in RUN frames, then collect output words until `done(words so far)` holds.

        Words that arrive past that point are kept for the next run.
        """
        self._send_words(RUN, words)
        collected: list[int] = []
        while True:
            while self._words:
                collected.append(self._words.popleft())
                if done(collected):
                    return collected
            if done(collected):
                return collected
            frame = self._next_frame(f"output words ({len(collected)} so far)")
            if frame.code != DATA:
                raise LinkError(f"the device sent an unexpected frame 0x{frame.code:02x} while running")
            self._take_data(frame)

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> HostLink:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

