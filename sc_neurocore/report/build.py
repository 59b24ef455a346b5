"""A finished build directory read back: the tool report, the manifest, and the model it came from."""

import hashlib
import json
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from sc_neurocore.report.build_record import BUILD_REPORT, BuildReport
from sc_neurocore.errors import InputError
from sc_neurocore.passes.pipeline import ModelOptions
from sc_neurocore.limits import limit
from sc_neurocore.names import safe_text

from .throughput import CoreShape

__all__ = ["Build", "load_build", "check_model"]


@dataclass(frozen=True)
class Build:
    path: Path
    report: BuildReport
    manifest: dict
    shape: CoreShape | None  # None for a transformer block (attention, SSM, CPG): no populations
    parts: dict = field(default_factory=dict)  # attention layer: hdl module -> cells by type

    @property
    def block(self) -> str | None:
        """The transformer block a YAML spec deployed ("spike_driven_attention", ...), None for a network."""
        return self.manifest.get("block")

    @property
    def provenance(self) -> dict:
        return self.manifest.get("provenance") or {}

    @property
    def fmax_mhz(self) -> float | None:
        """The slowest clock's achieved Fmax (the core has one clock)."""
        return self.report.slowest_fmax_mhz

    @property
    def model_options(self) -> ModelOptions:
        """The options the build was made with (defaults for what the provenance does not record)."""
        recorded = self.provenance.get("options") or {}
        return ModelOptions(**{f.name: recorded[f.name] for f in fields(ModelOptions) if f.name in recorded})


def load_build(build_dir) -> Build:
    """Read `build_report.json` (report and manifest) of a directory written by `sc-neurocore deploy`."""
    build_dir = Path(build_dir)
    if not build_dir.is_dir():
        raise InputError(f"{build_dir}: no such build directory")
    path = build_dir / BUILD_REPORT
    if not path.is_file():
        raise InputError(f"{path} not found: is {build_dir} a directory written by `sc-neurocore deploy`?")
    try:
        if path.stat().st_size > limit("yaml_bytes") * 16:
            raise InputError(f"{path} is larger than any build report; deploy again to rewrite it")
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InputError(f"{path} is not readable JSON ({type(exc).__name__}); deploy again to rewrite it") from None
    if not isinstance(record, dict):
        raise InputError(f"{path} does not hold a build report (a JSON object); deploy again to rewrite it")
    try:
        report = BuildReport.from_dict(record)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None
    except (TypeError, ValueError, KeyError, AttributeError, IndexError, ArithmeticError) as exc:
        raise InputError(f"{path}: damaged build report ({type(exc).__name__}: {safe_text(exc, 120)}); "
                         "deploy again to rewrite it") from None
    manifest = record.get("manifest")
    if not isinstance(manifest, dict):
        raise InputError(f"{path} holds no manifest; deploy again with this version of sc-neurocore")
    try:
        shape = None if "block" in manifest else CoreShape.from_manifest(manifest)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None
    except (TypeError, ValueError, KeyError, AttributeError, IndexError, ArithmeticError) as exc:
        raise InputError(f"{path}: damaged manifest ({type(exc).__name__}: {safe_text(exc, 120)}); "
                         "deploy again to rewrite it") from None
    if report.bitstream is not None and not report.bitstream.is_absolute():
        report = replace(report, bitstream=build_dir / report.bitstream)  # stored relative to the build
    return Build(build_dir, report, manifest, shape, dict(record.get("attention_parts") or {}))


def check_model(build: Build, model: Path, network_shape: CoreShape | None = None) -> None:
    """Refuse a model that did not produce `build`: by its sha256 when recorded, else by its shape."""
    model = Path(model)
    recorded = build.provenance.get("model_sha256")
    if recorded is not None and model.is_file():
        digest = hashlib.sha256(model.read_bytes()).hexdigest()
        if digest != recorded:
            origin = build.provenance.get("model", "another model")
            raise InputError(
                f"{model} does not belong to build {build.path}: it was built from {origin} "
                f"(sha256 {recorded[:12]}..., this file {digest[:12]}...)"
            )
    if network_shape is not None and network_shape != build.shape:
        raise InputError(f"{model} does not belong to build {build.path}: its populations differ from the build's")
