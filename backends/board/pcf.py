"""Pin constraints of the board top `sc_board_top(clk_osc, uart_rx, uart_tx, led)`: which pins a package has,
the PCF text for a board, and a custom board's pins read from `--pcf` and `--clock-pin` / `--uart-pins`.

A pin that the package does not have is bad input (one line naming the port, the pin and the package),
found here before nextpnr runs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sc_neurocore.backends.device import device as part
from sc_neurocore.backends.flow.pcf import SET_IO, read_pcf_text
from sc_neurocore.errors import InputError
from sc_neurocore.names import safe_text

__all__ = [
    "BOARD_PORTS", "BoardPins", "package_pin_names", "check_pin", "check_board_pins", "parse_uart_pins",
    "read_board_pcf", "custom_pins", "board_pcf",
]

# The ports of sc_board_top, in the order the PCF lists them.
BOARD_PORTS = ("clk_osc", "uart_rx", "uart_tx", "led")

# The package pins of every (device, package) of backends/device.py, by name. Facts read from IceStorm's
# pin database (YosysHQ/icestorm, icebox/icebox.py, `pinloc_db`, commit 3cdcf4b009bb8681ab7e2e09d65043f04334b60e);
# hx8k tq144 is the HX4K die's list (the 8k die in that package). Each count equals device.py's IO count
# (tests/unit/board/test_pcf.py checks it).
_PIN_NAMES: Mapping[tuple[str, str], str] = {
    ("up5k", "sg48"): (  # 39 pins, icebox 5k-sg48
        "2 3 4 6 9 10 11 12 13 14 15 16 17 18 19 20 21 23 25 26 27 28 31 32 34 35 36 37 38 39 40 41 42 43 44 "
        "45 46 47 48"
    ),
    ("up5k", "uwg30"): (  # 21 pins, icebox 5k-uwg30
        "A1 A2 A4 A5 B1 B3 B5 C1 C3 C5 D1 D3 D5 E1 E3 E4 E5 F1 F2 F4 F5"
    ),
    ("hx8k", "ct256"): (  # 206 pins, icebox 8k-ct256
        "A1 A2 A5 A6 A7 A9 A10 A11 A15 A16 B1 B2 B3 B4 B5 B6 B7 B8 B9 B10 B11 B12 B13 B14 B15 B16 C1 C2 C3 C4 "
        "C5 C6 C7 C8 C9 C10 C11 C12 C13 C14 C16 D1 D2 D3 D4 D5 D6 D7 D8 D9 D10 D11 D13 D14 D15 D16 E2 E3 E4 "
        "E5 E6 E9 E10 E11 E13 E14 E16 F1 F2 F3 F4 F5 F7 F9 F11 F12 F13 F14 F15 F16 G1 G2 G3 G4 G5 G10 G11 G12 "
        "G13 G14 G15 G16 H1 H2 H3 H4 H5 H6 H11 H12 H13 H14 H16 J1 J2 J3 J4 J5 J10 J11 J12 J13 J14 J15 J16 K1 "
        "K3 K4 K5 K9 K11 K12 K13 K14 K15 K16 L1 L3 L4 L5 L6 L7 L9 L10 L11 L12 L13 L14 L16 M1 M2 M3 M4 M5 M6 "
        "M7 M8 M9 M11 M12 M13 M14 M15 M16 N2 N3 N4 N5 N6 N7 N9 N10 N12 N16 P1 P2 P4 P5 P6 P7 P8 P9 P10 P11 "
        "P12 P13 P14 P15 P16 R1 R2 R3 R4 R5 R6 R9 R10 R11 R12 R14 R15 R16 T1 T2 T3 T5 T6 T7 T8 T9 T10 T11 T13 "
        "T14 T15 T16"
    ),
    ("hx8k", "cm225"): (  # 178 pins, icebox 8k-cm225
        "A1 A2 A5 A6 A7 A8 A9 A10 A11 A15 B1 B2 B3 B4 B5 B6 B7 B8 B9 B10 B11 B12 B13 B14 B15 C1 C2 C3 C4 C5 "
        "C6 C7 C8 C9 C10 C11 C12 C13 C14 D1 D2 D3 D4 D5 D6 D7 D8 D9 D10 D11 D13 D14 D15 E2 E3 E4 E5 E6 E9 E10 "
        "E11 E13 E14 F1 F2 F3 F4 F5 F7 F9 F11 F12 F13 F14 F15 G1 G2 G3 G4 G5 G10 G11 G12 G13 G14 G15 H1 H2 H3 "
        "H4 H5 H6 H11 H12 H13 H14 J1 J2 J3 J4 J5 J10 J11 J12 J13 J14 J15 K1 K3 K4 K5 K9 K11 K12 K13 K14 K15 "
        "L1 L3 L4 L5 L6 L7 L9 L10 L11 L12 L13 L14 M1 M2 M3 M4 M5 M6 M7 M8 M9 M11 M12 M13 M14 M15 N2 N3 N4 N5 "
        "N6 N7 N9 N10 N12 P1 P2 P4 P5 P6 P7 P8 P9 P10 P11 P12 P13 P14 P15 R1 R2 R3 R4 R5 R6 R9 R10 R11 R12 "
        "R14 R15"
    ),
    ("hx8k", "bg121"): (  # 93 pins, icebox 8k-bg121
        "A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 B1 B2 B3 B4 B5 B6 B7 B8 B9 B11 C1 C2 C3 C4 C7 C8 C9 C11 D1 D2 D3 "
        "D5 D7 D9 D10 D11 E1 E2 E3 E8 E9 E10 E11 F1 F2 F3 F4 F9 F10 F11 G1 G2 G3 G8 G9 G10 G11 H1 H2 H3 H7 H9 "
        "H10 H11 J1 J2 J3 J4 J5 J7 J8 J9 J10 J11 K1 K2 K3 K4 K5 K6 K7 K9 K10 K11 L1 L2 L3 L4 L5 L7 L8 L10"
    ),
    ("hx8k", "cb132"): (  # 95 pins, icebox 8k-cb132
        "A1 A2 A3 A4 A5 A6 A7 A10 A11 A12 B1 B14 C1 C3 C4 C5 C6 C7 C9 C10 C11 C12 C14 D1 D3 D4 D5 D6 D7 D9 "
        "D10 D11 D12 D14 E1 E4 E11 E12 E14 F3 F4 F11 F12 F14 G1 G3 G4 G11 G12 G14 H1 H3 H4 H11 H12 J1 J3 J11 "
        "J12 K3 K4 K11 K12 K14 L1 L4 L5 L6 L8 L9 L12 L14 M1 M3 M4 M6 M7 M9 M11 M12 N1 N14 P1 P2 P3 P4 P5 P7 "
        "P8 P9 P10 P11 P12 P13 P14"
    ),
    ("hx8k", "tq144"): (  # 107 pins, icebox 8k-tq144:4k
        "1 2 3 4 7 8 9 10 11 12 15 16 17 18 19 20 21 22 23 24 25 26 28 29 31 32 33 34 37 38 39 41 42 43 44 45 "
        "47 48 49 52 55 56 60 61 62 63 64 67 68 70 71 73 74 75 76 78 79 80 81 82 83 84 85 87 88 90 91 93 94 "
        "95 96 97 98 99 101 102 104 105 106 107 110 112 113 114 115 116 117 118 119 120 121 122 124 125 128 "
        "129 130 134 135 136 137 138 139 141 142 143 144"
    ),
    ("hx1k", "vq100"): (  # 72 pins, icebox 1k-vq100
        "1 2 3 4 7 8 9 10 12 13 15 16 18 19 20 21 24 25 26 27 28 29 30 33 34 36 37 40 41 42 45 46 48 49 51 52 "
        "53 54 56 57 59 60 62 63 64 65 66 68 69 71 72 73 74 78 79 80 81 82 83 85 86 87 89 90 91 93 94 95 96 "
        "97 99 100"
    ),
    ("hx1k", "tq144"): (  # 96 pins, icebox 1k-tq144
        "1 2 3 4 7 8 9 10 11 12 19 20 21 22 23 24 25 26 28 29 31 32 33 34 37 38 39 41 42 43 44 45 47 48 49 50 "
        "52 56 58 60 61 62 63 64 67 68 70 71 73 74 75 76 78 79 80 81 87 88 90 91 93 94 95 96 97 98 99 101 102 "
        "104 105 106 107 112 113 114 115 116 117 118 119 120 121 122 128 129 134 135 136 137 138 139 141 142 "
        "143 144"
    ),
    ("hx1k", "cb132"): (  # 95 pins, icebox 1k-cb132
        "A1 A2 A4 A5 A6 A7 A10 A12 B1 B14 C1 C3 C4 C5 C6 C7 C8 C9 C10 C11 C12 C14 D1 D3 D4 D5 D6 D7 D8 D9 D10 "
        "D11 D12 D14 E1 E4 E11 E12 E14 F3 F4 F11 F12 F14 G1 G3 G4 G11 G12 G14 H1 H3 H4 H11 H12 J1 J3 J11 J12 "
        "K3 K4 K11 K12 K14 L1 L4 L5 L6 L7 L8 L9 L12 L14 M1 M3 M4 M6 M7 M8 M9 M11 M12 N14 P2 P3 P4 P5 P7 P8 P9 "
        "P10 P11 P12 P13 P14"
    ),
}


def package_pin_names(device: str, package: str | None = None) -> frozenset[str]:
    """The pin names of `package` (default: the part's default package) of `device`."""
    part_ = part(device)
    package = package or part_.default_package
    names = _PIN_NAMES.get((device, package))
    if names is None:
        raise InputError(f"package {package!r} does not exist for {device}; choose one of {', '.join(part_.packages)}")
    return frozenset(names.split())


@dataclass(frozen=True)
class BoardPins:
    """The package pin of each port of sc_board_top (FPGA side: `uart_rx` is the pin the FPGA receives on)."""

    clk_osc: str
    uart_rx: str
    uart_tx: str
    led: str

    def as_dict(self) -> dict[str, str]:
        return {port: getattr(self, port) for port in BOARD_PORTS}


_PIN_SYNTAX = re.compile(r"[A-Za-z]{0,2}[0-9]{1,3}")
_SET_FREQUENCY = re.compile(r"set_frequency\s+(?P<port>[A-Za-z_][A-Za-z0-9_$]*)\s+(?P<mhz>[0-9]+(?:\.[0-9]+)?)")
_HOW_TO_GIVE = {
    "clk_osc": "--clock-pin PIN",
    "uart_rx": "--uart-pins RX,TX",
    "uart_tx": "--uart-pins RX,TX",
    "led": "a `set_io led PIN` line in --pcf",
}


def _pin_order(name: str) -> tuple[str, int]:
    letters = name.rstrip("0123456789")
    return letters, int(name[len(letters):])


def check_pin(pin: str, device: str, package: str | None = None, port: str = "pin") -> str:
    """`pin` as the package names it (ball names upper case); InputError naming `port` when the package lacks it."""
    package = package or part(device).default_package
    text = str(pin).strip()
    if not _PIN_SYNTAX.fullmatch(text):
        raise InputError(f"{port}: {safe_text(text, 40)!r} is not a package pin name (a number such as 35 or a ball "
                         f"such as J3)")
    letters = text.rstrip("0123456789").upper()
    name = f"{letters}{int(text[len(letters):])}"  # 035 -> 35, j03 -> J3
    names = package_pin_names(device, package)
    if name not in names:
        first = ", ".join(sorted(names, key=_pin_order)[:6])
        raise InputError(f"{port}: pin {name} does not exist on {device}-{package} (it has {len(names)} IO pins: "
                         f"{first}, ...)")
    return name


def check_board_pins(pins: BoardPins, device: str, package: str | None = None) -> BoardPins:
    """`pins` with each pin checked against the package; two ports on one pin is an error too."""
    checked = BoardPins(**{port: check_pin(pin, device, package, port) for port, pin in pins.as_dict().items()})
    seen: dict[str, str] = {}
    for port, pin in checked.as_dict().items():
        if pin in seen:
            raise InputError(f"{seen[pin]} and {port} are both on pin {pin}; give each port its own pin")
        seen[pin] = port
    return checked


def parse_uart_pins(text: str) -> tuple[str, str]:
    """`--uart-pins RX,TX` (FPGA side: RX is the pin the FPGA receives on) as two pin names, unchecked."""
    parts = [part_.strip() for part_ in str(text).split(",")]
    if len(parts) != 2 or not all(parts):
        raise InputError(f"--uart-pins takes RX,TX (two pins, FPGA side, comma-separated), got "
                         f"{safe_text(str(text), 40)!r}")
    return parts[0], parts[1]


def read_board_pcf(path: Path) -> tuple[dict[str, str], float | None]:
    """The pins a PCF file gives sc_board_top's ports, and its `set_frequency clk_osc MHZ` if any.

    Lines for other ports are skipped (a board's full PCF may be given); anything that is not `set_io`,
    `set_frequency` or a comment is refused with the file and line.
    """
    path = Path(path)
    pins: dict[str, str] = {}
    osc_mhz = None
    for number, line in enumerate(read_pcf_text(path).splitlines(), start=1):
        content = line.split("#", 1)[0].strip()
        if not content:
            continue
        if match := SET_IO.fullmatch(content):
            if match["port"] in BOARD_PORTS:
                pins[match["port"]] = match["pin"]
        elif match := _SET_FREQUENCY.fullmatch(content):
            if match["port"] == "clk_osc":
                osc_mhz = float(match["mhz"])
                if not 0 < osc_mhz <= 1000:
                    raise InputError(f"PCF file {path}, line {number}: clk_osc frequency {osc_mhz:g} MHz is not "
                                     "a plausible oscillator")
        else:
            raise InputError(f"PCF file {path}, line {number}: expected `set_io <port> <pin>` or `set_frequency "
                             f"<port> <MHz>`, got {safe_text(content, 80)!r}")
    return pins, osc_mhz


def custom_pins(device: str, package: str | None, base: BoardPins | None = None, pcf: Path | None = None,
                clock_pin: str | None = None, uart_pins: str | None = None) -> tuple[BoardPins, float | None]:
    """The board top's pins: `base` (a board profile's), overridden by the `pcf` file's lines for the
    board top's ports, overridden by `clock_pin` and `uart_pins` ("RX,TX"); every pin checked against
    the package. Also the file's oscillator frequency (`set_frequency clk_osc MHZ`) or None."""
    given: dict[str, str] = base.as_dict() if base is not None else {}
    osc_mhz = None
    if pcf is not None:
        from_file, osc_mhz = read_board_pcf(pcf)
        given.update(from_file)
    if clock_pin is not None:
        given["clk_osc"] = clock_pin
    if uart_pins is not None:
        given["uart_rx"], given["uart_tx"] = parse_uart_pins(uart_pins)
    missing = [port for port in BOARD_PORTS if port not in given]
    if missing:
        how = "; ".join(f"{port}: {_HOW_TO_GIVE[port]}" for port in missing)
        raise InputError(f"a custom board needs a pin for {', '.join(missing)} ({how})")
    return check_board_pins(BoardPins(**given), device, package), osc_mhz


def board_pcf(pins: BoardPins, title: str, osc_mhz: float | None = None) -> str:
    """The PCF of sc_board_top for `pins`. uart_rx gets the pull-up (an unplugged adapter reads as an idle
    line, not as noise). `osc_mhz` adds `set_frequency clk_osc` (nextpnr then derives the PLL output's
    constraint; backends/flow/pcf.py's check_pcf accepts set_io lines only, so it is off by default)."""
    lines = [f"# sc_board_top pins: {safe_text(title, 80)} (generated by sc-neurocore, see docs/board.md)"]
    for port, pin in pins.as_dict().items():
        flags = " -pullup yes" if port == "uart_rx" else ""
        lines.append(f"set_io{flags} {port} {pin}")
    if osc_mhz is not None:
        lines.append(f"set_frequency clk_osc {osc_mhz:g}")
    return "\n".join(lines) + "\n"
