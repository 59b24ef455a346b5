"""Maximal-length tap table for LFSR widths 4..32.

Each entry lists the exponents t of P(x) = x^n + ... + 1 besides the constant term; the tap mask has
bit t-1 set for each of them (so bit n-1 is always set). These are the classic low-weight primitive
polynomials (two or four taps); `tests/unit/bitstream` proves every one primitive and checks the
resulting LFSR periods.
"""

from ..errors import InputError

__all__ = ["MIN_WIDTH", "MAX_WIDTH", "TAP_EXPONENTS", "default_taps"]

MIN_WIDTH = 4
MAX_WIDTH = 32

TAP_EXPONENTS: dict[int, tuple[int, ...]] = {
    4: (4, 3),
    5: (5, 3),
    6: (6, 5),
    7: (7, 6),
    8: (8, 6, 5, 4),
    9: (9, 5),
    10: (10, 7),
    11: (11, 9),
    12: (12, 6, 4, 1),
    13: (13, 4, 3, 1),
    14: (14, 5, 3, 1),
    15: (15, 14),
    16: (16, 15, 13, 4),
    17: (17, 14),
    18: (18, 11),
    19: (19, 6, 2, 1),
    20: (20, 17),
    21: (21, 19),
    22: (22, 21),
    23: (23, 18),
    24: (24, 23, 22, 17),
    25: (25, 22),
    26: (26, 6, 2, 1),
    27: (27, 5, 2, 1),
    28: (28, 25),
    29: (29, 27),
    30: (30, 6, 4, 1),
    31: (31, 28),
    32: (32, 22, 2, 1),
}


def default_taps(width: int) -> int:
    """Tap mask of the table's polynomial for `width` bits; `InputError` outside 4..32."""
    if width not in TAP_EXPONENTS:
        raise InputError(
            f"no known maximal-length polynomial for a {width}-bit LFSR: "
            f"choose a width from {MIN_WIDTH} to {MAX_WIDTH}"
        )
    mask = 0
    for exponent in TAP_EXPONENTS[width]:
        mask |= 1 << (exponent - 1)
    return mask
