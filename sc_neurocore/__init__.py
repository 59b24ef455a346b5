"""sc-neurocore: spiking networks from NumPy and NIR to bit-true iCE40 designs."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sc-neurocore")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
