"""Range checks of the numeric options shared by several commands, before any work starts.

Every option value is checked here once: an integer count against its limit (`sc_neurocore.limits`),
a float for NaN/inf and its range; the message names the option.
"""

from __future__ import annotations

from sc_neurocore.errors import InputError
from sc_neurocore.limits import check_count, check_finite

__all__ = ["check_options"]

_BITS = (1, 32)  # fixed-point widths the integer executors handle exactly (int64 accumulators)


def check_options(**values) -> None:
    """Check each named option that was given (None means left at its default)."""
    for name, value in values.items():
        if value is None:
            continue
        flag = "--" + name.replace("_", "-")
        if name in ("steps", "batch", "tokens"):
            check_count(flag, value, name)
        elif name == "lanes":
            check_count(flag, value, "dim")
        elif name == "seed":
            if value < 0 or value >= 2 ** 32:
                raise InputError(f"{flag} must be an integer from 0 to 2**32 - 1, got {value}")
        elif name == "rate":
            check_finite(flag, value, 0.0, 1.0)
        elif name in ("dt", "freq", "timeout", "input_peak"):
            number = check_finite(flag, value)
            if number <= 0:
                raise InputError(f"{flag} must be positive, got {number}")
        elif name in ("weight_bits", "state_bits"):
            if not _BITS[0] < value <= _BITS[1]:
                raise InputError(f"{flag} must be an integer from {_BITS[0] + 1} to {_BITS[1]}, got {value}")
        else:
            raise ValueError(f"no check for option {name}")
