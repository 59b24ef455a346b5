"""Polynomials over GF(2) as Python ints, and the primitivity test behind every LFSR tap mask.

A polynomial is an int whose bit j is the coefficient of x^j. A degree-n polynomial P with P(0) = 1 is
*primitive* iff the multiplicative order of x modulo P is 2^n - 1, i.e.

    x^(2^n - 1) = 1 (mod P)   and   x^((2^n - 1)/q) != 1 (mod P) for every prime q dividing 2^n - 1.

An order of 2^n - 1 also forces P to be irreducible, so this is the whole test. An LFSR whose feedback
polynomial is primitive visits all 2^n - 1 non-zero states before repeating (maximal length).

Tap masks (see `taps`) encode P = 1 + sum_{i: bit i of mask} x^(i+1), i.e. ``P = (mask << 1) | 1``.
"""

from functools import lru_cache

from ..errors import InputError

__all__ = [
    "mask_to_polynomial",
    "prime_factors",
    "x_power_mod",
    "is_primitive",
    "primitive_masks",
]


def mask_to_polynomial(mask: int) -> int:
    """P(x) = 1 + sum over set bits i of `mask` of x^(i+1)."""
    return (mask << 1) | 1


def prime_factors(value: int) -> tuple[int, ...]:
    """Distinct prime factors of `value` >= 1, ascending (trial division: fine up to 2^32)."""
    factors = []
    candidate = 2
    while candidate * candidate <= value:
        if value % candidate == 0:
            factors.append(candidate)
            while value % candidate == 0:
                value //= candidate
        candidate += 1 if candidate == 2 else 2
    if value > 1:
        factors.append(value)
    return tuple(factors)


def _times_x(residue: int, poly: int, degree: int) -> int:
    residue <<= 1
    if residue >> degree & 1:
        residue ^= poly
    return residue


def _square(residue: int, poly: int, degree: int) -> int:
    # Squaring over GF(2) spreads the bits (cross terms cancel), then reduce from the top down.
    spread = 0
    bit = 0
    while residue >> bit:
        if residue >> bit & 1:
            spread |= 1 << (2 * bit)
        bit += 1
    for top in range(2 * degree - 2, degree - 1, -1):
        if spread >> top & 1:
            spread ^= poly << (top - degree)
    return spread


def x_power_mod(exponent: int, poly: int) -> int:
    """x^exponent mod `poly` (square-and-multiply, most significant exponent bit first)."""
    degree = poly.bit_length() - 1
    residue = 1
    for position in range(exponent.bit_length() - 1, -1, -1):
        residue = _square(residue, poly, degree)
        if exponent >> position & 1:
            residue = _times_x(residue, poly, degree)
    return residue


def is_primitive(poly: int) -> bool:
    """True iff `poly` (bit j = coefficient of x^j, degree >= 1) is primitive over GF(2)."""
    degree = poly.bit_length() - 1
    if degree < 1 or not poly & 1:
        return False
    order = (1 << degree) - 1
    if x_power_mod(order, poly) != 1:
        return False
    return all(x_power_mod(order // q, poly) != 1 for q in prime_factors(order))


@lru_cache(maxsize=64)
def primitive_masks(width: int, count: int, first: int | None = None) -> tuple[int, ...]:
    """The first `count` primitive tap masks of `width` bits, `first` (if given) leading, then ascending.

    Raises `InputError` when fewer than `count` primitive polynomials of that degree exist
    (there are phi(2^width - 1) / width of them).
    """
    top = 1 << (width - 1)
    found = [first] if first is not None else []
    for mask in range(top, top << 1):
        if len(found) >= count:
            break
        if mask != first and is_primitive(mask_to_polynomial(mask)):
            found.append(mask)
    if len(found) < count:
        raise InputError(
            f"only {len(found)} maximal-length polynomials exist for a {width}-bit LFSR, {count} were "
            "requested: use a wider LFSR or more views per generator"
        )
    return tuple(found[:count])
