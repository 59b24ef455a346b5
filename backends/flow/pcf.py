"""Checking a pin constraints file (`--pcf`) before any tool runs: bad input is bad input, not a nextpnr failure.

nextpnr-ice40 reads `set_io [-nowarn] [-pullup yes|no] [-pullup_resistor 3P3K|6P8K|10K|100K] <port> <pin>`
lines and `#` comments. Anything else, a file that is not UTF-8 text, or one that is implausibly
large, is refused with one line naming the file and line.
"""

from __future__ import annotations

import re
from pathlib import Path

from sc_neurocore.errors import InputError
from sc_neurocore.names import safe_text

__all__ = ["check_pcf", "read_pcf_text", "SET_IO"]

MAX_PCF_BYTES = 1 << 20
_FLAG = r"(?:-nowarn|-pullup\s+(?:yes|no)|-pullup_resistor\s+(?:3P3K|6P8K|10K|100K))"
SET_IO = re.compile(rf"set_io(?:\s+{_FLAG})*\s+(?P<port>[A-Za-z_][A-Za-z0-9_$]*(?:\[\d+\])?)"
                    r"\s+(?P<pin>[A-Za-z0-9_]+)")


def read_pcf_text(path: Path) -> str:
    """The text of a PCF file; InputError (one line naming the file) unless it is a small UTF-8 file."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"PCF file {path} does not exist" if not path.exists() else f"PCF file {path} is not a regular file")
    if path.stat().st_size > MAX_PCF_BYTES:
        raise InputError(f"PCF file {path} is larger than {MAX_PCF_BYTES} bytes; it holds pin constraints only")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"PCF file {path} is not UTF-8 text (byte {error.start})") from None
    except OSError as error:
        raise InputError(f"PCF file {path} cannot be read ({error.strerror})") from None
    return text


def check_pcf(path: Path) -> None:
    """Raise InputError unless `path` is a small UTF-8 file of set_io lines and comments."""
    for number, line in enumerate(read_pcf_text(path).splitlines(), start=1):
        content = line.split("#", 1)[0].strip()
        if content and not SET_IO.fullmatch(content):
            raise InputError(f"PCF file {path}, line {number}: expected `set_io <port> <pin>`, got "
                             f"{safe_text(content, 80)!r}")
