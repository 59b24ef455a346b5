"""The link arithmetic of a board build: bytes per inference and what bounds it."""

import numpy as np
import pytest

from sc_neurocore.errors import InputError
from sc_neurocore.report.link import UART_BITS_PER_BYTE, link_figures

LINK = {"baud": 3_000_000, "in_word_bytes": 3, "out_word_bytes": 2, "max_payload": 256, "frame_bytes": 6,
        "ack_bytes": 8}


def test_one_frame_each_way_counted_by_hand():
    figures = link_figures(LINK, words_in=10, words_out=4, core_seconds=1e-3)
    assert figures.bytes_to_device == 30 + 6
    assert figures.bytes_from_device == 8 + 6 + 8  # one DATA frame and one ACK
    assert figures.link_seconds == pytest.approx((36 + 22) * UART_BITS_PER_BYTE / 3e6)
    assert figures.bound == "core"


def test_frames_hold_whole_words_only():
    # 256 // 3 = 85 words per frame, so 86 words take two frames (and two ACKs)
    one, two = (link_figures(LINK, words, 0, None) for words in (85, 86))
    assert one.bytes_to_device == 85 * 3 + 6 and one.bytes_from_device == 8
    assert two.bytes_to_device == 86 * 3 + 12 and two.bytes_from_device == 16
    assert two.bound == "link"


@pytest.mark.parametrize("seed", range(5))
def test_bytes_grow_with_words_and_bound_follows_the_slower_side(seed):
    rng = np.random.default_rng(seed)
    words_in, words_out = (int(n) for n in rng.integers(0, 5000, 2))
    base = link_figures(LINK, words_in, words_out, None)
    more = link_figures(LINK, words_in + 1, words_out + 1, None)
    assert more.bytes_per_inference > base.bytes_per_inference
    assert link_figures(LINK, words_in, words_out, base.link_seconds * 2).bound == "core"
    assert link_figures(LINK, words_in, words_out, base.link_seconds / 2).bound == "link"
    assert base.inferences_per_second == pytest.approx(1 / base.link_seconds)


@pytest.mark.parametrize("broken", [{}, {**LINK, "baud": "fast"}, {**LINK, "max_payload": 0}])
def test_an_incomplete_link_is_one_clear_error(broken):
    with pytest.raises(InputError, match="board link"):
        link_figures(broken, 1, 1, None)
