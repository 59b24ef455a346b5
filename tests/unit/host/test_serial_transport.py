"""The serial transport through real pyserial (its loop:// port echoes what is written)."""

import pytest

from sc_neurocore.errors import InputError
from sc_neurocore.backends.host.errors import LinkError, LinkTimeoutError
from sc_neurocore.backends.host.link import HostLink
from sc_neurocore.backends.host.transport import SerialTransport

pytest.importorskip("serial")


def test_loop_port_moves_bytes_and_counts_them():
    transport = SerialTransport("loop://", baud=3_000_000)
    transport.write(b"\xa5\x01\x00\x00")
    assert transport.read(4, 0.1) == b"\xa5\x01\x00\x00"
    assert transport.read(1, 0.01) == b""  # nothing more: a timeout returns what there is
    assert (transport.bytes_written, transport.bytes_read) == (4, 4)
    transport.close()


def test_a_missing_port_is_a_one_line_link_error():
    with pytest.raises(LinkError, match="cannot open serial port /dev/sc-neurocore-no-such-port") as caught:
        SerialTransport("/dev/sc-neurocore-no-such-port")
    assert "\n" not in str(caught.value)


def test_a_port_that_only_echoes_is_a_silent_device():
    # The host's own frames (sync 0xA5) come back; the device's sync is 0x5A, so they are skipped.
    with HostLink(SerialTransport("loop://"), timeout_s=0.05) as link:
        with pytest.raises(LinkTimeoutError, match="no answer from the device within 0.05 s while waiting for the "
                                                   "answer to IDENTIFY"):
            link.identify()


@pytest.mark.parametrize("options", [{"timeout_s": 0}, {"timeout_s": float("inf")}, {"retries": -1}])
def test_bad_link_options_are_input_errors(options):
    with pytest.raises(InputError):
        HostLink(SerialTransport("loop://"), **options)
