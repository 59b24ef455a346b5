"""The one way sc-neurocore writes a file: whole or not at all, never over something it must not replace.

`atomic_write(path, write)` lets `write(temporary_path)` fill a temporary file beside `path` and renames
it over `path` only when that succeeded; on any failure (an exception, Ctrl-C, a full disk) the
temporary file is removed and `path` is untouched. `check_target` is the `--force` rule: an existing
output is replaced only with force, only when it is a regular file, and never when it is one of the
files being read.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from .errors import InputError, OutputError, ScNeurocoreError
from .names import safe_text

__all__ = [
    "atomic_write", "atomic_write_text", "check_target", "output_error", "BusyError", "lock_directory", "lock_path_of",
    "release_locks",
]


def output_error(path: Path, error: OSError) -> OutputError:
    """One line naming `path` and what the operating system said (a full disk is called a full disk)."""
    reasons = {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is exhausted",
        errno.EFBIG: "the file is larger than this process may write (file size limit)",
        errno.EROFS: "the file system is read-only",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.EISDIR: "it is a directory",
        errno.ENOTDIR: "a parent is not a directory",
    }
    reason = reasons.get(error.errno, error.strerror or type(error).__name__)
    return OutputError(f"cannot write {path}: {reason}")


def check_target(path: Path, force: bool, reading: Iterable[Path | None] = ()) -> None:
    """Refuse an output `path` that exists unless `force`; never a directory, device, FIFO or an input."""
    path = Path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return
    except OSError as error:
        raise output_error(path, error) from None
    if not stat.S_ISREG(info.st_mode):
        kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise InputError(f"{path} exists and is {kind}; --force replaces regular files only: choose another path")
    for source in reading:
        if source is not None and Path(source).exists() and os.path.samefile(source, path):
            raise InputError(f"{path} is also an input of this command; write the output somewhere else")
    if not force:
        raise InputError(f"{path} exists; pass --force to replace it")


def atomic_write(path: Path, write: Callable[[str], None]) -> Path:
    """Call `write(temporary)` on a new file beside `path`, then rename it to `path` (ordinary permissions)."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:80]}.", suffix=f".tmp{path.suffix}")
    except OSError as error:
        raise output_error(path, error) from None
    os.close(handle)
    try:
        write(temporary)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes it private; an output is an ordinary file
        os.replace(temporary, path)
    except OSError as error:
        raise output_error(path, error) from None
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return path


def atomic_write_text(path: Path, text: str) -> Path:
    """`atomic_write` of UTF-8 text."""
    return atomic_write(path, lambda temporary: Path(temporary).write_text(text, encoding="utf-8"))


class BusyError(ScNeurocoreError):
    """Another run holds the lock of an output directory."""


_HELD: dict[str, int] = {}


def lock_path_of(directory: Path) -> Path:
    """Where the lock of `directory` lives: a file named by the hash of its real path, in the system's
    temporary directory (nothing is added beside the user's outputs)."""
    real = os.path.realpath(directory)
    digest = hashlib.sha256(real.encode("utf-8", errors="surrogateescape")).hexdigest()[:32]
    return Path(tempfile.gettempdir()) / f"sc-neurocore-{os.getuid()}-locks" / f"{digest}.lock"


def lock_directory(directory: Path) -> None:
    """Take the lock of `directory` for the rest of this process (or until `release_locks`).

    One run at a time writes a directory and its `.partial` work area: a second run exits at once
    with a BusyError naming the holder. The lock is an advisory `flock`, released by the kernel when
    its process ends, however it ends; taking it again in the same process is a no-op.
    """
    directory = Path(directory)
    lock_path = lock_path_of(directory)
    key = str(lock_path)
    if key in _HELD:
        return
    try:
        lock_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError as error:
        raise output_error(lock_path, error) from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(handle, 512, 0).decode("utf-8", errors="replace").strip() or "another process"
        os.close(handle)
        raise BusyError(
            f"{directory} is being written by another sc-neurocore run ({safe_text(holder)}); "
            "wait for it to finish or choose another output directory"
        ) from None
    os.ftruncate(handle, 0)
    os.pwrite(handle, f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode(), 0)
    _HELD[key] = handle


def release_locks() -> None:
    """Release every directory lock this process took (the CLI calls it when a command ends)."""
    while _HELD:
        _, handle = _HELD.popitem()
        os.close(handle)
