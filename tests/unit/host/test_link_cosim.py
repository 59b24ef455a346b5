"""The board link end to end: HostLink -> SimulatorTransport -> Icarus at the UART pins of sc_board_top
(host_link + the echo fixture), with faults injected on the wire.

Simulated time: 12 MHz, 4 clocks a bit (3 Mbaud). Timeouts are simulated seconds.
"""

import random

import pytest

from sc_neurocore.errors import InputError
from sc_neurocore.backends.board.pll import pll_settings
from sc_neurocore.backends.host.errors import LinkError, LinkTimeoutError
from sc_neurocore.backends.host.link import HostLink
from sc_neurocore.backends.host.protocol import (
    ACK, DATA, IDENTIFY, NAK, RUN, SYNC_HOST, FrameDecoder, crc16_ccitt, encode_frame, pack_words, word_bytes,
)
from sc_neurocore.backends.host.transport import SimulatorTransport
from tests.conftest import require_executable
from tests.unit.host.echo_board import echo, echo_board

pytestmark = [pytest.mark.cosim, pytest.mark.slow]

TIMEOUT_S = 0.01  # 120,000 clocks: far above any answer of these frames, far below a silent wait's cost
SHORT_TIMEOUT_BITS = 2000  # the device's mid-frame timeout, shortened from 65,536 bit times


@pytest.fixture(autouse=True)
def _icarus():
    require_executable("iverilog")
    require_executable("vvp")


def _build_id(seed: int) -> bytes:
    return random.Random(seed).randbytes(16)


def _board(in_bits, out_bits, max_payload=16, clks_per_bit=4, **options):
    files = echo_board(in_bits, out_bits, _build_id(in_bits * 100 + out_bits), max_payload, clks_per_bit,
                       timeout_bits=SHORT_TIMEOUT_BITS, **options)
    return SimulatorTransport(files, clks_per_bit=clks_per_bit)


def _answer(transport: SimulatorTransport, timeout_s: float = TIMEOUT_S):
    """The device's next frame, read raw (no HostLink)."""
    decoder = FrameDecoder()
    while True:
        data = transport.read(decoder.needed(), timeout_s)
        assert data, "the device did not answer"
        frames = decoder.feed(data)
        if frames:
            return frames[0]


def _frames_bytes(payload_bytes: int, max_payload: int, size: int) -> int:
    """Bytes on the wire to the device for one LOAD/RUN of `payload_bytes`, chunked into whole words."""
    chunk = max_payload // size * size
    frames = -(-payload_bytes // chunk)
    return payload_bytes + 6 * frames


def test_identify_reports_the_build():
    pll = pll_settings(12.0, 48.0)  # bypassed under SIMULATION
    with _board(17, 24, max_payload=40, pll=pll) as transport:
        identity = HostLink(transport, TIMEOUT_S).identify()
    assert (identity.protocol, identity.in_bits, identity.out_bits, identity.max_payload) == (1, 17, 24, 40)
    assert identity.build_id == _build_id(17 * 100 + 24)


@pytest.mark.parametrize("in_bits, out_bits, clks_per_bit", [(1, 1, 4), (8, 8, 5), (17, 24, 4), (24, 17, 7)])
def test_load_and_run_round_trip_random_words_in_chunks(in_bits, out_bits, clks_per_bit):
    rng = random.Random(in_bits * 31 + out_bits)
    max_payload = 16
    load_words = [rng.randrange(1 << in_bits) for _ in range(7)]
    run_words = [rng.randrange(1 << in_bits) for _ in range(40)]  # several frames of at most 16 bytes
    with _board(in_bits, out_bits, max_payload, clks_per_bit) as transport:
        link = HostLink(transport, TIMEOUT_S)
        link.identify()
        link.load(load_words)
        wanted = len(load_words) + len(run_words)
        words = link.run(run_words, lambda got: len(got) >= wanted)
        assert words == [echo(word, out_bits) for word in load_words + run_words]
        size = word_bytes(in_bits)
        assert transport.bytes_written == 6 + sum(
            _frames_bytes(len(part) * size, max_payload, size) for part in (load_words, run_words))
        status = link.status()
        assert (status.busy, status.overflow, status.crc_errors, status.framing_errors) == (False, False, 0, 0)
        assert link.nak_codes == []


def test_backpressure_no_word_is_lost_when_the_output_fifo_fills():
    # 1 byte in, 3 bytes out per word: the answer outruns the line, the link's 256-word FIFO fills and
    # out_ready stalls the fixture (its status bit 15 records that it did), which stalls in_ready.
    rng = random.Random(5)
    run_words = [rng.randrange(256) for _ in range(700)]
    with _board(8, 24, max_payload=64) as transport:
        link = HostLink(transport, TIMEOUT_S)
        words = link.run(run_words, lambda got: len(got) >= len(run_words))
        assert words == [echo(word, 24) for word in run_words]
        assert link.status().status & 0x8000, "the case never filled the link's output FIFO"
        assert link.run([1, 2], lambda got: len(got) >= 2) == [echo(1, 24), echo(2, 24)]  # nothing left over


def test_a_flipped_payload_bit_is_refused_and_resent():
    rng = random.Random(11)
    run_words = [rng.randrange(1 << 17) for _ in range(12)]
    with _board(17, 8) as transport:
        link = HostLink(transport, TIMEOUT_S, retries=2)
        link.identify()
        transport.inject_faults(flip_bits=[(6, 3)])  # a payload bit of the first RUN frame
        assert link.run(run_words, lambda got: len(got) >= 12) == [echo(word, 8) for word in run_words]
        assert link.nak_codes == [1]
        assert link.status().crc_errors == 1


def test_a_low_stop_bit_is_refused_and_resent():
    run_words = list(range(10))
    with _board(8, 8) as transport:
        link = HostLink(transport, TIMEOUT_S, retries=1)
        link.identify()
        transport.inject_faults(low_stop_bytes=[7])
        assert link.run(run_words, lambda got: len(got) >= 10) == [echo(word, 8) for word in run_words]
        assert link.nak_codes == [2]
        assert link.status().framing_errors >= 1


def test_after_its_retries_the_host_stops_and_no_corrupted_word_reached_the_core():
    with _board(8, 8) as transport:
        link = HostLink(transport, TIMEOUT_S, retries=2)
        link.identify()
        transport.inject_faults(flip_bits=[(4, 0)], writes=3)
        with pytest.raises(LinkError, match=r"refused RUN 3 times; last NAK 1: CRC mismatch") as caught:
            link.run([9, 8, 7], lambda got: len(got) >= 3)
        assert "\n" not in str(caught.value)
        assert link.nak_codes == [1, 1, 1]
        assert link.run([4, 5], lambda got: len(got) >= 2) == [echo(4, 8), echo(5, 8)]
        assert link.status().crc_errors == 3


def test_len_above_max_payload_is_nak_3_and_the_rest_of_the_frame_is_not_taken_for_a_new_one():
    with _board(8, 8, max_payload=16) as transport:
        payload = bytes([SYNC_HOST, RUN, 2, 0]) * 4 + b"\x01"  # 17 bytes, full of frame look-alikes
        body = bytes([RUN, 17, 0]) + payload
        transport.write(bytes([SYNC_HOST]) + body + crc16_ccitt(body).to_bytes(2, "little"))
        answer = _answer(transport)
        assert (answer.code, answer.payload) == (NAK, b"\x03")
        assert transport.idle(0.002) == b""  # nothing else: no stray answer to a look-alike
        assert HostLink(transport, TIMEOUT_S).identify().max_payload == 16


def test_a_payload_of_partial_words_is_nak_3_and_an_empty_one_is_acked():
    with _board(17, 8) as transport:
        transport.write(encode_frame(RUN, b"\x01\x02\x03\x04"))  # 3-byte words: 4 bytes is not whole words
        answer = _answer(transport)
        assert (answer.code, answer.payload) == (NAK, b"\x03")
        transport.write(encode_frame(RUN, b""))
        answer = _answer(transport)
        assert (answer.code, answer.payload) == (ACK, b"\x00\x00")
        assert transport.idle(0.001) == b""  # and no word came out of the core


def test_an_unknown_command_is_nak_4():
    with _board(8, 8) as transport:
        transport.write(encode_frame(0x07, b"\x00"))
        answer = _answer(transport)
        assert (answer.code, answer.payload) == (NAK, b"\x04")


def test_a_truncated_frame_is_nak_5_after_the_timeout():
    with _board(8, 8) as transport:
        transport.write(encode_frame(RUN, b"\x01\x02\x03\x04")[:6])  # header and two of four payload bytes
        bit_s = 4 / 12e6
        assert transport.read(7, 0.9 * SHORT_TIMEOUT_BITS * bit_s) == b""  # not before the timeout
        answer = _answer(transport, 0.2 * SHORT_TIMEOUT_BITS * bit_s)
        assert (answer.code, answer.payload) == (NAK, b"\x05")
        link = HostLink(transport, TIMEOUT_S)  # and the link works again
        assert link.run([3], lambda got: len(got) >= 1) == [echo(3, 8)]


def test_garbage_before_a_sync_byte_is_skipped():
    rng = random.Random(3)
    garbage = bytes(rng.choice([b for b in range(256) if b != SYNC_HOST]) for _ in range(50))
    with _board(8, 8) as transport:
        transport.write(garbage)
        link = HostLink(transport, TIMEOUT_S)
        assert link.identify().in_bits == 8
        frame = encode_frame(RUN, pack_words([1, 2], 8))
        transport.write(garbage[:5] + frame)
        acks, data = [], b""
        while not acks or len(data) < 2:  # the ACK, and DATA frames with both words
            answer = _answer(transport)
            if answer.code == DATA:
                data += answer.payload
            else:
                acks.append((answer.code, answer.payload))
        assert acks == [(ACK, b"\x02\x00")] and data == bytes([echo(1, 8), echo(2, 8)])


SILENT_TOP = """module sc_board_top (input logic clk_osc, input logic uart_rx, output logic uart_tx, output logic led);
    assign uart_tx = 1'b1;
    assign led = 1'b0;
endmodule
"""


def test_a_silent_device_is_a_one_line_timeout_error():
    with SimulatorTransport({"sc_board_top.sv": SILENT_TOP}) as transport:
        with pytest.raises(LinkTimeoutError, match=r"no answer from the device within 0.001 s") as caught:
            HostLink(transport, timeout_s=0.001).identify()
    assert "\n" not in str(caught.value)
    assert transport.bytes_written == len(encode_frame(IDENTIFY))


def test_bad_words_are_refused_before_anything_is_sent_and_missing_outputs_time_out():
    with _board(8, 8) as transport:
        link = HostLink(transport, TIMEOUT_S)
        link.identify()
        sent = transport.bytes_written
        with pytest.raises(InputError, match="word 256 does not fit 8 unsigned bits"):
            link.run([1, 256], lambda got: True)
        assert transport.bytes_written == sent
        link.timeout_s = 0.002
        with pytest.raises(LinkTimeoutError, match=r"output words \(1 so far\)"):
            link.run([1], lambda got: len(got) >= 2)  # the core emits one word per input word


def test_a_new_session_drops_the_words_an_earlier_one_left_behind():
    with _board(8, 8) as transport:
        HostLink(transport, TIMEOUT_S).load([1, 2, 3])  # their outputs are never collected
        link = HostLink(transport, TIMEOUT_S)
        link.identify()
        assert 1 <= link.stale_bytes <= 3  # the first session may have taken some while awaiting its ACK
        assert link.run([7], lambda got: len(got) >= 1) == [echo(7, 8)]
