"""A core's build plan made a board build: `sc_board_top` (PLL, reset, host_link) around `<top>_stream`.

The build id IDENTIFY reports is the first 16 bytes of the core plan's digest, taken before the board
files are added (so the id does not depend on itself). The manifest's ``board`` section records the
board, the core clock and why, the build id and the link's numbers (`report` reads them).
"""

from __future__ import annotations

from sc_neurocore.backends.board.profiles import BoardTarget
from sc_neurocore.backends.board.top import BOARD_TOP, BUILD_ID_BYTES, LINK_SOURCES, board_files
from sc_neurocore.backends.build.plan import MANIFEST, BuildPlan, assemble_plan
from sc_neurocore.backends.host.protocol import link_record

__all__ = ["BOARD_PCF", "MAX_PAYLOAD", "with_board", "build_id"]

BOARD_PCF = f"{BOARD_TOP}.pcf"  # the name the flow gives the PCF of top `sc_board_top`
MAX_PAYLOAD = 256  # bytes of one frame's payload: one EBR of receive buffer


def build_id(plan: BuildPlan) -> bytes:
    """The id a board build's IDENTIFY reports for the core plan `plan`."""
    return bytes.fromhex(plan.digest)[:BUILD_ID_BYTES]


def with_board(plan: BuildPlan, target: BoardTarget) -> BuildPlan:
    """`plan` (a core's, with its stream port) as a board build: top `sc_board_top`, its sources and PCF."""
    stream = plan.manifest["stream"]
    ident = build_id(plan)
    clock = target.clock
    board = board_files(stream["module"], stream["in_bits"], stream["out_bits"], clock.clks_per_bit, MAX_PAYLOAD,
                        ident, clock.pll, pll_primitive=target.profile.pll_primitive,
                        led_active_low=target.profile.led_active_low)
    sources = tuple(dict.fromkeys((*plan.sources, *stream["sources"], *LINK_SOURCES, f"{BOARD_TOP}.sv")))
    section = {**target.as_record(), "build_id": ident.hex(), "top": BOARD_TOP, "pcf": BOARD_PCF,
               "core_top": plan.top, "memory_files": list(plan.memory_files),
               "link": link_record(stream["in_bits"], stream["out_bits"], MAX_PAYLOAD, target.baud)}
    files = {name: text for name, text in plan.files.items() if name != MANIFEST}
    files.update(board)
    files[BOARD_PCF] = target.pcf_text
    manifest = {key: value for key, value in plan.manifest.items()
                if key not in ("generator", "top", "sources", "testbench")}
    return assemble_plan(BOARD_TOP, sources, files, {**manifest, "board": section}, plan.memory_files)
