"""The one device model: what each iCE40 part holds (logic cells, 4-kbit EBRs, SPRAMs, SB_MAC16s, IO per package).

Every fit estimate and every flow option reads its device facts here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sc_neurocore.errors import FitError, InputError

__all__ = [
    "Ice40Device", "DEVICES", "EBR_BITS", "SPRAM_WORDS", "device", "package_pins", "check_package_pins", "ebr_blocks",
    "pin_and_ebr_shortfalls",
]

EBR_BITS = 4096  # one SB_RAM40_4K
SPRAM_WORDS = 16384  # one SB_SPRAM256KA: 16384 x 16 bits
# (depth, width) configurations of one 4-kbit iCE40 EBR
_EBR_SHAPES = ((256, 16), (512, 8), (1024, 4), (2048, 2))


@dataclass(frozen=True)
class Ice40Device:
    """Capacities of one iCE40 part; `packages` maps package name -> usable IO pins."""

    name: str
    logic_cells: int
    ebr: int
    spram: int
    dsp: int
    packages: Mapping[str, int]
    default_package: str


DEVICES: Mapping[str, Ice40Device] = {
    "up5k": Ice40Device("up5k", 5280, 30, 4, 8, {"sg48": 39, "uwg30": 21}, "sg48"),
    "hx8k": Ice40Device(
        "hx8k", 7680, 32, 0, 0, {"ct256": 206, "cm225": 178, "bg121": 93, "cb132": 95, "tq144": 107}, "ct256"
    ),
    "hx1k": Ice40Device("hx1k", 1280, 16, 0, 0, {"vq100": 72, "tq144": 96, "cb132": 95}, "vq100"),
}


def device(name: str) -> Ice40Device:
    """The part called `name`; InputError naming the known parts otherwise."""
    try:
        return DEVICES[name]
    except KeyError:
        raise InputError(f"unknown iCE40 device {name!r}; choose one of {', '.join(DEVICES)}") from None


def package_pins(name: str, package: str | None = None) -> int:
    """Usable IO pins of `package` (default: the part's default package)."""
    part = device(name)
    package = package or part.default_package
    available = part.packages.get(package)
    if available is None:
        raise InputError(f"package {package!r} does not exist for {name}; choose one of {', '.join(part.packages)}")
    return available


def check_package_pins(n_ports_bits: int, name: str, package: str | None = None) -> None:
    """Raise FitError when a top level with `n_ports_bits` port bits cannot fit the package's IOs."""
    available = package_pins(name, package)
    if n_ports_bits > available:
        raise FitError(
            f"the top level has {n_ports_bits} port bits but {name}-{package or device(name).default_package} has "
            f"{available} usable IO pins; use a narrower (streaming) port"
        )


def pin_and_ebr_shortfalls(io_bits: int, ebr: int, part: Ice40Device, pins: int) -> list[str]:
    """What a design of `io_bits` top-level port bits and `ebr` block RAMs lacks on `part` with `pins`
    usable IOs, as fit messages put it ("12 EBR (has 8)"); empty if both fit."""
    problems = [f"{io_bits} IO pins (has {pins})"] if io_bits > pins else []
    return problems + ([f"{ebr} EBR (has {part.ebr})"] if ebr > part.ebr else [])


def ebr_blocks(depth: int, width: int) -> int:
    """Fewest 4-kbit EBRs that hold a ``depth`` x ``width`` memory."""
    return min(-(-width // w) * -(-depth // d) for d, w in _EBR_SHAPES)
