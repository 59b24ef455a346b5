"""The helpers everything else relies on: one atomic writer, the --force rule, directory locks, limits."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sc_neurocore.atomic import BusyError, atomic_write_text, check_target, lock_directory, release_locks
from sc_neurocore.errors import InputError, LimitError, OutputError
from sc_neurocore.limits import check_count, load_arrays, read_yaml

REPO = Path(__file__).resolve().parents[2]


def test_one_atomic_writer_for_the_whole_code_base():
    """Temporary-file-and-rename lives in sc_neurocore/atomic.py only; everything else calls it."""
    offenders = []
    for folder in ("sc_neurocore", "cli", "backends"):
        for path in (REPO / folder).rglob("*.py"):
            if path.name == "atomic.py":
                continue
            text = path.read_text()
            if re.search(r"\bos\.replace\(|\bmkstemp\(|\bos\.rename\(", text):
                offenders.append(str(path.relative_to(REPO)))
    assert offenders == []


def test_an_atomic_write_that_fails_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")

    def fail(temporary: str) -> None:
        Path(temporary).write_text("half")
        raise RuntimeError("stop")

    from sc_neurocore.atomic import atomic_write

    with pytest.raises(RuntimeError):
        atomic_write(target, fail)
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["out.txt"]
    atomic_write_text(target, "new")
    assert target.read_text() == "new" and oct(target.stat().st_mode & 0o777) != "0o600"


def test_force_replaces_regular_files_only_and_never_an_input(tmp_path):
    model = tmp_path / "m.nir"
    model.write_text("x")
    check_target(tmp_path / "new.npz", force=False)
    with pytest.raises(InputError, match="--force"):
        check_target(model, force=False)
    with pytest.raises(InputError, match="also an input"):
        check_target(model, force=True, reading=(model,))
    for special in (Path("/dev/null"), tmp_path):
        with pytest.raises(InputError, match="regular files only"):
            check_target(special, force=True)


def test_a_write_that_finds_the_disk_full_is_one_output_error_saying_so(tmp_path):
    from sc_neurocore.atomic import atomic_write

    def full(temporary: str) -> None:
        with open("/dev/full", "w") as stream:  # the kernel's always-full device: a real ENOSPC
            stream.write("x")
            stream.flush()

    with pytest.raises(OutputError, match="the disk is full"):
        atomic_write(tmp_path / "x.txt", full)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(OutputError, match="cannot write /proc/version/x"):
        atomic_write_text(Path("/proc/version/x"), "x")


def test_a_directory_lock_is_exclusive_across_processes_and_names_its_holder(tmp_path):
    out = tmp_path / "build"
    lock_directory(out)
    try:
        code = ("import sys; from sc_neurocore.atomic import lock_directory\n"
                f"lock_directory({str(out)!r})")
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert done.returncode != 0 and "BusyError" in done.stderr
        assert re.search(r"pid \d+", done.stderr)
    finally:
        release_locks()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert BusyError.exit_code == 1


def test_limits_name_themselves_and_how_to_raise_them(monkeypatch):
    with pytest.raises(LimitError, match="SC_NEUROCORE_MAX_STEPS"):
        check_count("--steps", 10 ** 12, "steps")
    monkeypatch.setenv("SC_NEUROCORE_MAX_STEPS", str(10 ** 12))
    assert check_count("--steps", 10 ** 12, "steps") == 10 ** 12
    with pytest.raises(InputError, match="at least 1"):
        check_count("--steps", 0, "steps")


def test_yaml_aliases_are_counted_before_anything_is_built(tmp_path):
    path = tmp_path / "bomb.yaml"
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(LimitError, match="aliases"):
        read_yaml(path)
    small = tmp_path / "ok.yaml"
    small.write_text("a: &a [1, 2]\nb: *a\n")
    assert read_yaml(small) == {"a": [1, 2], "b": [1, 2]}


def test_npz_members_are_checked_from_their_headers(tmp_path):
    path = tmp_path / "a.npz"
    np.savez(path, input=np.arange(6.0).reshape(2, 3), labels=np.array([1, 2]))
    arrays = load_arrays(path)
    assert arrays["input"].shape == (2, 3) and arrays["labels"].tolist() == [1, 2]
    np.savez(path, input=np.array(["a"]))
    with pytest.raises(InputError, match="numeric arrays only"):
        load_arrays(path)
