"""deploy, written once for every core: fit checks, then yosys -> nextpnr-ice40 -> icepack, and build_report.json.

Work happens in `<out>.partial/`; only a good build replaces `<out>/` (see build/build_dir.py).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from sc_neurocore.backends.board.build import BOARD_PCF, with_board
from sc_neurocore.backends.board.profiles import BoardTarget
from sc_neurocore.backends.build.build_dir import check_writable, fresh_partial, promote, write_files
from sc_neurocore.backends.build.plan import with_provenance
from sc_neurocore.backends.cores.core import Core
from sc_neurocore.backends.flow.icestorm import Ice40Options, run_ice40_flow
from sc_neurocore.report.build_record import BUILD_REPORT, BuildReport
from sc_neurocore.report.link import core_clock_mhz

__all__ = ["DeployResult", "deploy_core"]


@dataclass(frozen=True)
class DeployResult:
    """A placed and routed core: where it went, the tools' report, its manifest and the core's extra
    entries (per-part cells, say) recorded beside the report."""

    out_dir: Path
    report: BuildReport
    manifest: dict
    emit_seconds: float
    extra: dict = field(default_factory=dict)


def deploy_core(core: Core, out_dir: Path, options: Ice40Options = Ice40Options(), force: bool = False,
                provenance: dict | None = None, board: BoardTarget | None = None) -> DeployResult:
    """Check that `core` fits, emit it (with `provenance` in its manifest), place and route it, record
    build_report.json with its throughput at the achieved Fmax; promote only a good build.

    With a `board`, the top is `sc_board_top` (host link and PLL around the core's stream port) on the
    board's pins, and the throughput is at the board's core clock."""
    out_dir = Path(out_dir)
    check_writable(out_dir, force)
    core.check_fit(options.device, options.package)
    started = time.perf_counter()
    plan = with_provenance(core.emit(), provenance)
    if board is not None:
        plan = with_board(plan, board)
    emit_seconds = time.perf_counter() - started
    partial = fresh_partial(out_dir)
    write_files(partial, plan.files)
    if board is not None:
        options = replace(options, pcf=partial / BOARD_PCF)
    extra = core.synthesise_parts(partial, options)
    report = run_ice40_flow(partial, plan.top, plan.sources, options, plan.memory_files)
    achieved = report.slowest_fmax_mhz
    throughput = core.throughput(core_clock_mhz(achieved, plan.manifest.get("board")))
    record = report.to_dict()
    record["stage_seconds"] = {"emit": round(emit_seconds, 4), **record.get("stage_seconds", {})}
    record["manifest"] = plan.manifest
    record.update(extra)
    if throughput is not None:
        record["throughput"] = throughput
    # Paths inside the report are relative to the build directory, which is about to be renamed.
    record["bitstream"] = Path(report.bitstream).name if report.bitstream else None
    (partial / BUILD_REPORT).write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    promote(partial, out_dir)
    final = replace(BuildReport.from_dict(record),
                    bitstream=out_dir / record["bitstream"] if record["bitstream"] else None)
    return DeployResult(out_dir, final, plan.manifest, emit_seconds, extra)
