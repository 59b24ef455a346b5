"""Names read from files are data, never code: the one sanitiser for everything they reach.

A NIR node name, a file name or a spec key can hold anything (newlines, backticks, quotes, terminal
escapes, rich markup). Before such a name reaches generated SystemVerilog, a file name or the terminal
it goes through one of the functions here:

- `safe_text`: printable ASCII only, with every character that could end a comment or a string,
  start a compiler directive or a terminal escape replaced by `?`; this is what the Jinja
  environments apply to every interpolated value (their `finalize`).
- `identifier`: a valid SystemVerilog / file-name identifier (`[A-Za-z_][A-Za-z0-9_]*`).
- `terminal_text`: `safe_text` with rich markup escaped, for the console.
"""

from __future__ import annotations

import re

from rich.markup import escape

__all__ = ["safe_text", "identifier", "terminal_text", "one_line", "jinja_finalize", "MAX_NAME_LENGTH"]

MAX_NAME_LENGTH = 200
# Printable ASCII without: ` (directives), " and \ (string literals), which cannot break out of a
# `//` comment or a "..." string once newlines and control characters are gone.
_UNSAFE = re.compile(r'[^\x20-\x7e]|[`"\\]')
_NOT_IDENTIFIER = re.compile(r"[^A-Za-z0-9_]")


def safe_text(value: object, limit: int = MAX_NAME_LENGTH) -> str:
    """`value` as one line of inert printable ASCII, at most `limit` characters (longer is cut with ...)."""
    text = _UNSAFE.sub("?", str(value))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def identifier(value: object, prefix: str = "n") -> str:
    """`value` as an identifier valid in SystemVerilog and in a file name; never empty, never a digit first."""
    text = _NOT_IDENTIFIER.sub("_", str(value))[:MAX_NAME_LENGTH]
    if not text or not (text[0].isalpha() or text[0] == "_"):
        text = f"{prefix}_{text}"
    return text


def terminal_text(value: object, limit: int = 4000) -> str:
    """`value` safe to print through rich: one line, no control characters, markup shown literally."""
    return escape(one_line(value, limit))


def jinja_finalize(value: object) -> object:
    """Jinja `finalize`: every string interpolated into a template passes `safe_text` (numbers unchanged)."""
    if isinstance(value, str):
        return safe_text(value, limit=1 << 20)
    return value


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def one_line(value: object, limit: int = 4000) -> str:
    """`value` as one line for a terminal: newlines become spaces, other control characters `?`."""
    text = _CONTROL.sub("?", str(value).replace("\r\n", " ").replace("\n", " ").replace("\t", " "))
    return text if len(text) <= limit else text[: limit - 3] + "..."
