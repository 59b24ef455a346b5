"""Errors of the board link: the board or the line misbehaved (exit 1); bad input stays InputError (exit 2)."""

from __future__ import annotations

from sc_neurocore.errors import ScNeurocoreError

__all__ = ["LinkError", "LinkTimeoutError"]


class LinkError(ScNeurocoreError):
    """The device answered wrongly, refused a frame too often, or the port failed."""


class LinkTimeoutError(LinkError):
    """The device did not answer in time."""
