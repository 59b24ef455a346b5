"""Number formatting shared by the terminal and HTML renderings of a report."""

__all__ = ["si", "signed_percent", "quantity", "seconds"]

_PREFIXES = ((1e9, "G"), (1e6, "M"), (1e3, "k"))


def si(value: float | None, unit: str = "", digits: int = 3) -> str:
    """3 significant digits with an SI prefix: 1.23 M, 456 k; "-" for an unknown value."""
    if value is None:
        return "-"
    for scale, prefix in _PREFIXES:
        if abs(value) >= scale:
            return f"{value / scale:.{digits}g} {prefix}{unit}".rstrip()
    return f"{value:.{digits}g} {unit}".rstrip()


def signed_percent(fraction: float | None) -> str:
    return "-" if fraction is None else f"{100 * fraction:+.1f} %"


def quantity(value: float | None, unit: str) -> str:
    """Counts and cycles as whole numbers, MHz with one decimal, % in points, durations in s..ns, rates with an SI prefix."""
    if value is None:
        return "-"
    if unit in ("cells", "cycles"):
        return f"{value:.0f}"
    if unit == "MHz":
        return f"{value:.1f}"
    if unit == "%":
        return f"{value:.2f} %"
    if unit == "s":
        return seconds(value)
    return si(value)


def seconds(value: float | None) -> str:
    """A duration with 3 significant digits in s, ms, us or ns."""
    if value is None:
        return "-"
    for scale, prefix in ((1.0, ""), (1e-3, "m"), (1e-6, "u")):
        if abs(value) >= scale:
            return f"{value / scale:.3g} {prefix}s"
    return f"{value / 1e-9:.3g} ns"
