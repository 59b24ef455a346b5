"""The one error hierarchy of sc-neurocore.

`cli/` turns `InputError` into exit code 2 and every other `ScNeurocoreError` into exit code 1.
"""

__all__ = [
    "ScNeurocoreError",
    "InputError",
    "ModelError",
    "UnsupportedError",
    "FitError",
    "ToolError",
    "ToolMissingError",
    "ToolTimeoutError",
    "OutputError",
    "LimitError",
    "ScNeurocoreWarning",
]


class ScNeurocoreError(Exception):
    """Base of every error the library raises on purpose."""

    exit_code = 1


class InputError(ScNeurocoreError):
    """The user gave something unusable: a missing file, a bad option, a malformed model."""

    exit_code = 2


class ModelError(InputError):
    """A model graph that is malformed: missing nodes, wrong shapes, bad parameters."""


class UnsupportedError(InputError):
    """Valid input that this toolchain cannot handle (yet): say what is supported."""


class FitError(InputError):
    """A design that does not fit the chosen device or package."""


class LimitError(InputError):
    """Input past a safety limit (steps, sizes, nesting): the message names the limit and how to raise it."""


class OutputError(ScNeurocoreError):
    """An output could not be written (full disk, read-only, permissions): the message names the path."""


class ToolError(ScNeurocoreError):
    """An external tool failed; the message names the tool, its log and the log's last lines."""


class ToolMissingError(ToolError):
    """An external tool could not be found."""


class ToolTimeoutError(ToolError):
    """An external tool ran past its time limit."""


class ScNeurocoreWarning(UserWarning):
    """Category of every warning the library issues."""
