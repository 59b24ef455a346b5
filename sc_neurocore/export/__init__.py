"""Ways out of the IR graph."""

from .nir_writer import to_nir, write_nir

__all__ = ["to_nir", "write_nir"]
