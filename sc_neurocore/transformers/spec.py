"""The YAML spec of a spiking-transformer hardware block (`sc-neurocore deploy block.yaml`).

A spec names the block (`block:` picks the spec class) and its shape; the fold (`lanes`) is how many
units the block updates per clock. Validation raises :class:`InputError` naming the file and the option.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

from sc_neurocore.errors import InputError

__all__ = ["AttentionSpec", "SsmSpec", "CpgSpec", "BLOCKS", "load_spec", "spec_from_dict"]

ATTENTION_BLOCK = "spike_driven_attention"
SSM_BLOCK = "spiky_state_space"
CPG_BLOCK = "cpg_encoder"
BLOCKS = (ATTENTION_BLOCK, SSM_BLOCK, CPG_BLOCK)


@dataclass(frozen=True)
class AttentionSpec:
    """Shape, quantisation and fold of one spike-driven attention layer (defaults: the seed's)."""

    block: str = ATTENTION_BLOCK
    embed_dim: int = 64
    num_heads: int = 4
    tokens: int = 32
    T: int = 8
    threshold: float = 1.0
    seed: int = 0
    lanes: int = 1
    in_bits: int = 8
    weight_bits: int = 8
    out_threshold: int = 0  # output IF threshold; 0 picks the head dimension

    def __post_init__(self) -> None:
        _check_block(self.block, (ATTENTION_BLOCK,))
        for name in ("embed_dim", "num_heads", "tokens", "T", "lanes"):
            _positive(name, getattr(self, name))
        for name in ("in_bits", "weight_bits"):
            value = getattr(self, name)
            if not isinstance(value, int) or not 2 <= value <= 16:
                raise InputError(f"{name} must be an integer from 2 to 16, got {value!r}")
        if not isinstance(self.out_threshold, int) or self.out_threshold < 0:
            raise InputError(f"out_threshold must be a non-negative integer, got {self.out_threshold!r}")
        if not isinstance(self.threshold, (int, float)) or not self.threshold > 0:
            raise InputError(f"threshold must be a positive number, got {self.threshold!r}")
        if self.embed_dim % self.num_heads:
            raise InputError(
                f"embed_dim {self.embed_dim} does not divide into num_heads {self.num_heads} heads; "
                f"choose num_heads from {_divisors(self.embed_dim)}"
            )
        if self.head_dim % self.lanes:
            raise InputError(
                f"lanes {self.lanes} does not divide the head dimension {self.head_dim}; "
                f"choose lanes from {_divisors(self.head_dim)}"
            )

    @property
    def head_dim(self) -> int:
        return self.embed_dim // self.num_heads

    @property
    def output_threshold(self) -> int:
        return self.out_threshold or self.head_dim

    def lane_choices(self) -> list[int]:
        """Every fold this layer accepts: the divisors of the head dimension."""
        return _divisors(self.head_dim)


@dataclass(frozen=True)
class SsmSpec:
    """Shape, fixed-point formats and fold of one SpikyStateSpace layer (S4D-Real, ZOH with `dt`).

    `lanes` states (update) and outputs (readout) are computed per clock, one multiplier each.
    """

    block: str = SSM_BLOCK
    d_model: int = 32
    d_state: int = 64
    T: int = 16
    dt: float = 0.01
    threshold: float = 1.0
    seed: int = 0
    lanes: int = 1
    in_bits: int = 8
    weight_bits: int = 8
    state_bits: int = 16

    def __post_init__(self) -> None:
        _check_block(self.block, (SSM_BLOCK,))
        for name in ("d_model", "d_state", "T", "lanes"):
            _positive(name, getattr(self, name))
        for name in ("in_bits", "weight_bits", "state_bits"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 2 <= value <= 16:
                raise InputError(f"{name} must be an integer from 2 to 16 (one SB_MAC16 operand), got {value!r}")
        for name in ("threshold", "dt"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise InputError(f"{name} must be a positive number, got {value!r}")
        common = _divisors(self.d_model)
        choices = [k for k in common if self.d_state % k == 0]
        if self.lanes not in choices:
            raise InputError(
                f"lanes {self.lanes} must divide both d_model {self.d_model} and d_state {self.d_state}; "
                f"choose lanes from {choices}"
            )

    def lane_choices(self) -> list[int]:
        """Every fold this layer accepts: the common divisors of d_model and d_state."""
        return [k for k in _divisors(self.d_model) if self.d_state % k == 0]


@dataclass(frozen=True)
class CpgSpec:
    """The CPG-PE position encoder (``mode="cpg-pe"``) as phase accumulators: ``d_model / 2`` phases of
    `phase_bits`, `lanes` of them per clock; `positions` is the length of the co-simulated sequence."""

    block: str = CPG_BLOCK
    d_model: int = 64
    positions: int = 32
    phase_bits: int = 16
    lanes: int = 1

    def __post_init__(self) -> None:
        _check_block(self.block, (CPG_BLOCK,))
        for name in ("d_model", "positions", "lanes"):
            _positive(name, getattr(self, name))
        if self.d_model % 2:
            raise InputError(f"d_model {self.d_model} must be even (sin/cos channel pairs)")
        if isinstance(self.phase_bits, bool) or not isinstance(self.phase_bits, int) or not 8 <= self.phase_bits <= 24:
            raise InputError(f"phase_bits must be an integer from 8 to 24, got {self.phase_bits!r}")
        if self.lanes not in self.lane_choices():
            raise InputError(
                f"lanes {self.lanes} does not divide the {self.d_model // 2} phases; choose lanes from {self.lane_choices()}"
            )

    def lane_choices(self) -> list[int]:
        """Every fold this encoder accepts: the divisors of the phase count ``d_model / 2``."""
        return _divisors(self.d_model // 2)


def _check_block(block, allowed=BLOCKS) -> None:
    if block not in allowed:
        raise InputError(f"block {block!r} is not supported here; choose one of {', '.join(allowed)}")


_SPECS = {ATTENTION_BLOCK: AttentionSpec, SSM_BLOCK: SsmSpec, CPG_BLOCK: CpgSpec}


def _positive(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError(f"{name} must be a positive integer, got {value!r}")


def _divisors(n: int) -> list[int]:
    return [k for k in range(1, n + 1) if n % k == 0]


def spec_from_dict(raw: object, source: str = "spec") -> AttentionSpec | SsmSpec | CpgSpec:
    """The spec named by ``block`` (default: attention) from a mapping; unknown keys are an error."""
    if not isinstance(raw, dict):
        raise InputError(f"{source}: expected a mapping of options, got {type(raw).__name__}")
    block = raw.get("block", ATTENTION_BLOCK)
    try:
        _check_block(block)
    except InputError as error:
        raise InputError(f"{source}: {error}") from None
    cls = _SPECS[block]
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise InputError(f"{source}: unknown option(s) {', '.join(map(str, unknown))}; known: {', '.join(sorted(known))}")
    try:
        return cls(**raw)
    except InputError as error:
        raise InputError(f"{source}: {error}") from None


def load_spec(path: Path) -> AttentionSpec | SsmSpec | CpgSpec:
    """Read a YAML block spec."""
    import yaml

    path = Path(path)
    if not path.is_file():
        raise InputError(f"spec file {path} does not exist")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise InputError(f"{path}: not valid YAML: {error}") from None
    return spec_from_dict(raw, str(path))
