"""Build directories written safely: work happens beside the target, which changes only on success.

A compile or deploy writes into `<out>.partial/`; on success it replaces `<out>/` in two renames, so a
failed build (bad input, a tool failure, a timeout) leaves the previous good outputs untouched and
its own logs in `<out>.partial/` for inspection. `check_writable` takes the directory's lock
(`sc_neurocore.atomic.lock_directory`, held until the run ends), so the `.partial` directory belongs to the one run writing it
and a second run into the same directory stops at once, naming the holder.
"""

import shutil
from pathlib import Path

from sc_neurocore.atomic import lock_directory
from sc_neurocore.errors import InputError

__all__ = ["check_writable", "fresh_partial", "promote", "write_files"]

OWN_MARKER = "manifest.json"  # a directory holding it was written by sc-neurocore


def check_writable(out_dir: Path, force: bool) -> None:
    """Refuse to replace a directory that holds anything unless it is ours and --force is given."""
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir} exists and is not a directory")
    lock_directory(out_dir)
    if out_dir.is_dir() and any(out_dir.iterdir()):
        if not (out_dir / OWN_MARKER).is_file():
            raise InputError(f"{out_dir} is not empty and was not written by sc-neurocore; choose another -o")
        if not force:
            raise InputError(f"{out_dir} already holds a build; pass --force to replace it")


def fresh_partial(out_dir: Path) -> Path:
    lock_directory(out_dir)  # already held after check_writable: the leftover .partial is this directory's own
    partial = out_dir.with_name(out_dir.name + ".partial")
    if partial.is_symlink() or (partial.exists() and not partial.is_dir()):
        partial.unlink()
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    return partial


def write_files(directory: Path, files: dict[str, str]) -> None:
    for relative, text in sorted(files.items()):
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def promote(partial: Path, out_dir: Path) -> None:
    """Replace `out_dir` with the finished `partial` directory."""
    retired = out_dir.with_name(out_dir.name + ".old")
    shutil.rmtree(retired, ignore_errors=True)
    if out_dir.exists():
        out_dir.rename(retired)
    try:
        partial.rename(out_dir)
    except BaseException:  # interrupted or failed between the renames: the previous build comes back
        if retired.exists() and not out_dir.exists():
            retired.rename(out_dir)
        raise
    shutil.rmtree(retired, ignore_errors=True)
