"""The build plan: every file a build writes, by relative path, and a digest of its content."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from sc_neurocore import __version__

__all__ = ["BuildPlan", "MANIFEST", "TESTBENCH", "TRACE_FILE", "assemble_plan", "with_provenance"]

MANIFEST = "manifest.json"
TESTBENCH = "tb_sc_top.sv"  # every core's co-simulation testbench
TRACE_FILE = "trace.txt"  # what the testbench writes, line for line the integer twin's expected trace


@dataclass(frozen=True)
class BuildPlan:
    """Everything `compile` writes, by relative path; the same input gives the same bytes.

    `top` and `sources` are what synthesis reads, `memory_files` the images `$readmemh` loads.
    """

    files: dict[str, str]
    top: str
    sources: tuple[str, ...]
    memory_files: tuple[str, ...] = ()
    manifest: dict = field(default_factory=dict)

    @property
    def digest(self) -> str:
        """SHA-256 over every path and its text: equal digests mean byte-identical builds."""
        sha = hashlib.sha256()
        for path, text in sorted(self.files.items()):
            sha.update(path.encode("utf-8") + b"\0" + text.encode("utf-8") + b"\0")
        return sha.hexdigest()


def assemble_plan(top: str, sources, files: dict[str, str], manifest: dict, memory_files=()) -> BuildPlan:
    """A core's plan: its `files`, plus manifest.json holding what every manifest says (generator, top,
    sources, testbench) and the core's own entries."""
    manifest = {**manifest, "generator": f"sc-neurocore {__version__}", "top": top, "sources": list(sources),
                "testbench": TESTBENCH}
    files = {**files, MANIFEST: json.dumps(manifest, indent=2, sort_keys=True) + "\n"}
    return BuildPlan(files=files, top=top, sources=tuple(sources), memory_files=tuple(memory_files),
                     manifest=manifest)


def with_provenance(plan: BuildPlan, provenance: dict | None) -> BuildPlan:
    """`plan` with `provenance` (where the design came from) recorded in its manifest."""
    if not provenance:
        return plan
    manifest = dict(plan.manifest, provenance=provenance)
    files = dict(plan.files, **{MANIFEST: json.dumps(manifest, indent=2, sort_keys=True) + "\n"})
    return BuildPlan(files=files, top=plan.top, sources=plan.sources, memory_files=plan.memory_files, manifest=manifest)
