"""The board top `sc_board_top`: PLL (or none), power-on reset, `host_link` and the core's `<top>_stream`.

docs/host_link.md §3. `board_top` renders the top; `board_files` adds the hand-written link modules of
`hdl/board/`, so a build writes them beside the core's own files.
"""

from __future__ import annotations

from sc_neurocore.backends.board.pll import PllSettings
from sc_neurocore.backends.build.templates import library_files, render_shared_template
from sc_neurocore.errors import InputError
from sc_neurocore.names import identifier

__all__ = ["BOARD_TOP", "LINK_SOURCES", "TIMEOUT_BITS", "board_top", "board_files"]

BOARD_TOP = "sc_board_top"
LINK_SOURCES = ("uart_rx.sv", "uart_tx.sv", "crc16_ccitt.sv", "host_link.sv")
TIMEOUT_BITS = 65536  # docs/host_link.md §2: a frame stopped halfway is dropped after this many bit times
BUILD_ID_BYTES = 16
PLL_PRIMITIVES = ("SB_PLL40_CORE", "SB_PLL40_PAD")
_RESET_BITS = 6  # power-on reset: 63 clocks after the PLL locked


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
              build_id: bytes, pll: PllSettings | None, *, pll_primitive: str = "SB_PLL40_CORE",
              led_active_low: bool = False, timeout_bits: int = TIMEOUT_BITS) -> str:
    """The SystemVerilog of `sc_board_top` around `stream_module` (docs/host_link.md §3).

    `pll` None: the core runs at the oscillator's frequency; `pll_primitive` is SB_PLL40_PAD when the
    oscillator enters on the PLL's own pad (the board profile knows). `build_id`: the 16 bytes IDENTIFY reports,
    its first byte first. `timeout_bits` only shortens the mid-frame timeout for tests.
    """
    if pll_primitive not in PLL_PRIMITIVES:
        raise InputError(f"unknown PLL primitive {pll_primitive!r}; one of {', '.join(PLL_PRIMITIVES)}")
    _check(stream_module, in_bits, out_bits, clks_per_bit, max_payload, build_id, timeout_bits)
    context = {
        "stream_module": stream_module, "in_bits": in_bits, "out_bits": out_bits, "clks_per_bit": clks_per_bit,
        "max_payload": max_payload, "build_id": build_id.hex(), "timeout_bits": timeout_bits, "pll": pll,
        "reset_bits": _RESET_BITS, "pll_primitive": pll_primitive, "led_active_low": bool(led_active_low), "reset_cycles": (1 << _RESET_BITS) - 1,
    }
    return render_shared_template("board_top.sv.j2", context)


def board_files(*args, **kwargs) -> dict[str, str]:
    """`board_top(...)` as `sc_board_top.sv`, with the `hdl/board/` modules it instantiates, by file name."""
    return {f"{BOARD_TOP}.sv": board_top(*args, **kwargs), **library_files(LINK_SOURCES)}
