"""compile, written once for every core: the design, memory images, testbench and manifest into a build directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sc_neurocore.backends.build.build_dir import check_writable, fresh_partial, promote, write_files
from sc_neurocore.backends.build.plan import BuildPlan, with_provenance
from sc_neurocore.backends.cores.core import Core

__all__ = ["CompileResult", "compile_core"]


@dataclass(frozen=True)
class CompileResult:
    out_dir: Path
    plan: BuildPlan


def compile_core(core: Core, out_dir: Path, force: bool = False, provenance: dict | None = None) -> CompileResult:
    """Write `core`'s build plan (with `provenance` in its manifest) into `out_dir`; no tools run."""
    out_dir = Path(out_dir)
    check_writable(out_dir, force)
    plan = with_provenance(core.emit(), provenance)
    partial = fresh_partial(out_dir)
    write_files(partial, plan.files)
    promote(partial, out_dir)
    return CompileResult(out_dir, plan)
