"""Frames of the host link in Python: the CRC's check value, frame round trips, word packing."""

import random

import pytest

from sc_neurocore.errors import InputError
from sc_neurocore.backends.host.protocol import (
    ACK, DATA, NAK, RUN, SYNC_DEVICE, SYNC_HOST, FrameDecoder, crc16_ccitt, encode_frame, link_record, pack_words,
    unpack_words, word_bytes,
)


def test_crc_check_value():
    assert crc16_ccitt(b"123456789") == 0x29B1  # CRC-16/CCITT-FALSE's published check value
    assert crc16_ccitt(b"") == 0xFFFF
    assert crc16_ccitt(b"56789", crc16_ccitt(b"1234")) == 0x29B1  # byte-wise, as the RTL runs it


def test_frame_layout():
    frame = encode_frame(RUN, b"\x01\x02")
    assert frame[:4] == bytes([SYNC_HOST, RUN, 2, 0]) and frame[4:6] == b"\x01\x02"
    assert int.from_bytes(frame[6:], "little") == crc16_ccitt(frame[1:6])


@pytest.mark.parametrize("seed", range(5))
def test_frames_round_trip_through_garbage_and_any_chunking(seed):
    rng = random.Random(seed)
    frames = [(rng.choice([DATA, NAK, 0x81, 0x84]), rng.randbytes(rng.randrange(0, 300))) for _ in range(20)]
    stream = bytearray()
    for code, payload in frames:
        stream += bytes(rng.choice([b for b in range(256) if b != SYNC_DEVICE]) for _ in range(rng.randrange(3)))
        stream += encode_frame(code, payload, SYNC_DEVICE)
    decoder, decoded, position = FrameDecoder(), [], 0
    while position < len(stream):
        step = rng.randrange(1, 40)
        decoded += decoder.feed(bytes(stream[position:position + step]))
        position += step
    assert [(frame.code, frame.payload) for frame in decoded] == frames


def test_a_flipped_bit_fails_the_crc():
    rng = random.Random(7)
    for _ in range(50):
        frame = bytearray(encode_frame(DATA, rng.randbytes(rng.randrange(1, 40)), SYNC_DEVICE))
        index = rng.randrange(4, len(frame))  # a payload or CRC bit: the header keeps its length
        frame[index] ^= 1 << rng.randrange(8)
        with pytest.raises(ValueError, match="CRC"):
            FrameDecoder().feed(bytes(frame))


@pytest.mark.parametrize("bits", [1, 7, 8, 9, 17, 24, 32])
def test_words_pack_little_endian_and_round_trip(bits):
    rng = random.Random(bits)
    words = [rng.randrange(1 << bits) for _ in range(100)] + [0, (1 << bits) - 1]
    data = pack_words(words, bits)
    assert len(data) == len(words) * word_bytes(bits)
    assert unpack_words(data, bits) == words
    if bits > 8:
        assert pack_words([0x0102 & ((1 << bits) - 1)], bits)[:2] == b"\x02\x01"


def test_words_that_do_not_fit_are_input_errors():
    with pytest.raises(InputError, match="does not fit 8"):
        pack_words([256], 8)
    with pytest.raises(InputError):
        pack_words([-1], 8)
    with pytest.raises(ValueError, match="whole"):
        unpack_words(b"\x00\x00", 17)


def test_link_record_sizes_match_real_frames():
    record = link_record(17, 24, 256, 3_000_000)
    assert (record["in_word_bytes"], record["out_word_bytes"], record["max_payload"]) == (3, 3, 256)
    assert record["frame_bytes"] == len(encode_frame(RUN, b"")) == 6
    assert record["ack_bytes"] == len(encode_frame(ACK, b"\x01\x00", SYNC_DEVICE)) == 8
