"""Tool processes die with the run that started them, even when that run is killed outright.

SIGINT, SIGTERM and timeouts are handled by `toolrun` killing the tool's process group. A run killed
with SIGKILL cannot clean up, so the kernel does it (Linux `prctl(PR_SET_PDEATHSIG)`):
- `die_with_parent` (a `preexec_fn`): the direct child (make) is killed when sc-neurocore dies;
- `stop_group_with_parent`: the edalize launcher, which make starts inside the flow's process group, is
  sent SIGTERM when make dies and then kills that whole group (the tool and anything the tool started).
Elsewhere both are no-ops.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

__all__ = ["die_with_parent", "stop_group_with_parent"]

_PR_SET_PDEATHSIG = 1


def _set_parent_death_signal(signum: int) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def die_with_parent(expected_parent: int):
    """A `preexec_fn` that makes the child get SIGKILL when `expected_parent` (the caller) dies."""

    def arrange() -> None:
        if _set_parent_death_signal(signal.SIGKILL) and os.getppid() != expected_parent:
            os._exit(1)  # the parent died before the arrangement took effect

    return arrange


def stop_group_with_parent() -> None:
    """In the launcher: when make dies, kill the launcher's process group (the tool and its children)."""
    parent = os.getppid()

    def stop(_signum, _frame) -> None:
        os.killpg(0, signal.SIGKILL)

    signal.signal(signal.SIGTERM, stop)
    if _set_parent_death_signal(signal.SIGTERM) and os.getppid() != parent:
        stop(signal.SIGTERM, None)
