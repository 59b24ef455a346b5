"""The YAML spec of a spiking-attention hardware block (`sc-neurocore deploy attention.yaml`).

A spec names the block and its shape; the fold (`lanes`) is how many head dimensions the attention
core updates per clock. Validation raises :class:`InputError` naming the file and the option.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

from sc_neurocore.errors import InputError

__all__ = ["AttentionSpec", "BLOCKS", "load_spec", "spec_from_dict"]

BLOCKS = ("spike_driven_attention",)


@dataclass(frozen=True)
class AttentionSpec:
    """Shape, quantisation and fold of one spike-driven attention layer (defaults: the seed's)."""

    block: str = "spike_driven_attention"
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
        if self.block not in BLOCKS:
            raise InputError(f"block {self.block!r} is not supported; choose one of {', '.join(BLOCKS)}")
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


def _positive(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError(f"{name} must be a positive integer, got {value!r}")


def _divisors(n: int) -> list[int]:
    return [k for k in range(1, n + 1) if n % k == 0]


def spec_from_dict(raw: object, source: str = "spec") -> AttentionSpec:
    """An :class:`AttentionSpec` from a mapping; unknown keys are an error, not silently ignored."""
    if not isinstance(raw, dict):
        raise InputError(f"{source}: expected a mapping of options, got {type(raw).__name__}")
    known = {f.name for f in fields(AttentionSpec)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise InputError(f"{source}: unknown option(s) {', '.join(map(str, unknown))}; known: {', '.join(sorted(known))}")
    try:
        return AttentionSpec(**raw)
    except InputError as error:
        raise InputError(f"{source}: {error}") from None


def load_spec(path: Path) -> AttentionSpec:
    """Read a YAML attention spec."""
    import yaml

    path = Path(path)
    if not path.is_file():
        raise InputError(f"spec file {path} does not exist")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise InputError(f"{path}: not valid YAML: {error}") from None
    return spec_from_dict(raw, str(path))
