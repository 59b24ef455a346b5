"""The board top `sc_board_top`: PLL (or none), power-on reset, `host_link` and the core's `<top>_stream`.

docs/host_link.md §3. `board_top` renders the top; `board_sources` adds the hand-written link modules of
`hdl/board/`, so a build writes `board_files(...)` beside the core's own files.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import jinja2

from sc_neurocore.backends.build.templates import _environment, library_files
from sc_neurocore.errors import InputError
from sc_neurocore.names import identifier

__all__ = ["PllSettings", "BOARD_TOP", "LINK_SOURCES", "TIMEOUT_BITS", "board_top", "board_files"]

BOARD_TOP = "sc_board_top"
LINK_SOURCES = ("uart_rx.sv", "uart_tx.sv", "crc16_ccitt.sv", "host_link.sv")
TIMEOUT_BITS = 65536  # docs/host_link.md §2: a frame stopped halfway is dropped after this many bit times
BUILD_ID_BYTES = 16
_RESET_BITS = 6  # power-on reset: 63 clocks after the PLL locked


@dataclass(frozen=True)
class PllSettings:
    """SB_PLL40_CORE dividers (SIMPLE feedback): f_out = f_in * (DIVF + 1) / ((DIVR + 1) * 2**DIVQ)."""

    divr: int
    divf: int
    divq: int
    filter_range: int

    def __post_init__(self) -> None:
        for name, value, top in (("divr", self.divr, 15), ("divf", self.divf, 127), ("divq", self.divq, 7),
                                 ("filter_range", self.filter_range, 7)):
            if not isinstance(value, int) or not 0 <= value <= top:
                raise InputError(f"PLL {name} must be an integer in 0..{top}, got {value!r}")


@cache
def _board_environment() -> jinja2.Environment:
    # The project's one environment (StrictUndefined, inert names), reading this folder's templates.
    return _environment().overlay(loader=jinja2.PackageLoader("sc_neurocore.backends", "board"))


def _check(stream_module, in_bits, out_bits, clks_per_bit, max_payload, build_id, timeout_bits) -> None:
    if identifier(stream_module) != stream_module:
        raise InputError(f"stream module name {stream_module!r} is not a SystemVerilog identifier")
    for name, value, low, high in (("in_bits", in_bits, 1, 255), ("out_bits", out_bits, 1, 255),
                                   ("clks_per_bit", clks_per_bit, 4, 1 << 20),
                                   ("max_payload", max_payload, 2, 65535), ("timeout_bits", timeout_bits, 16, 1 << 24)):
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise InputError(f"{name} must be an integer in {low}..{high}, got {value!r}")
    for name, bits in (("in_bits", in_bits), ("out_bits", out_bits)):
        if (bits + 7) // 8 > max_payload:
            raise InputError(f"max_payload {max_payload} cannot hold one word of {name} = {bits}")
    if not isinstance(build_id, bytes) or len(build_id) != BUILD_ID_BYTES:
        raise InputError(f"the build id must be {BUILD_ID_BYTES} bytes, got {build_id!r}")


def board_top(stream_module: str, in_bits: int, out_bits: int, clks_per_bit: int, max_payload: int,
              build_id: bytes, pll: PllSettings | None, *, timeout_bits: int = TIMEOUT_BITS) -> str:
    """The SystemVerilog of `sc_board_top` around `stream_module` (docs/host_link.md §3).

    `pll` None: the core runs at the oscillator's frequency. `build_id`: the 16 bytes IDENTIFY reports,
    its first byte first. `timeout_bits` only shortens the mid-frame timeout for tests.
    """
    _check(stream_module, in_bits, out_bits, clks_per_bit, max_payload, build_id, timeout_bits)
    context = {
        "stream_module": stream_module, "in_bits": in_bits, "out_bits": out_bits, "clks_per_bit": clks_per_bit,
        "max_payload": max_payload, "build_id": build_id.hex(), "timeout_bits": timeout_bits, "pll": pll,
        "reset_bits": _RESET_BITS, "reset_cycles": (1 << _RESET_BITS) - 1,
    }
    return _board_environment().get_template("templates/board_top.sv.j2").render(**context)


def board_files(*args, **kwargs) -> dict[str, str]:
    """`board_top(...)` as `sc_board_top.sv`, with the `hdl/board/` modules it instantiates, by file name."""
    return {f"{BOARD_TOP}.sv": board_top(*args, **kwargs), **library_files(LINK_SOURCES)}
