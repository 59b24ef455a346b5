"""The YAML spec of a spiking-transformer hardware block (`sc-neurocore deploy block.yaml`).

A spec names the block (`block:` picks the spec class) and its shape; the fold (`lanes`) is how many
units the block updates per clock. Validation raises :class:`InputError` naming the file and the option.
The attention-variant blocks (``ssa_attention``, ``sdsa_attention``, ``a2os2a_attention``) all load as a
:class:`VariantSpec` whose `variant` the block name picks.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

from sc_neurocore.errors import InputError
from sc_neurocore.limits import check_count, read_yaml
from sc_neurocore.transformers._checks import heads_split

__all__ = [
    "AttentionSpec", "SsmSpec", "CpgSpec", "VariantSpec", "VARIANTS", "VARIANT_BLOCKS", "BLOCKS", "load_spec",
    "spec_from_dict",
]

ATTENTION_BLOCK = "spike_driven_attention"
SSM_BLOCK = "spiky_state_space"
CPG_BLOCK = "cpg_encoder"
VARIANTS = ("ssa", "sdsa", "a2os2a")
VARIANT_BLOCKS = {f"{variant}_attention": variant for variant in VARIANTS}  # block name -> variant
BLOCKS = (ATTENTION_BLOCK, SSM_BLOCK, CPG_BLOCK, *VARIANT_BLOCKS)


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
        if isinstance(self.threshold, bool) or not isinstance(self.threshold, (int, float)) or not 0 < self.threshold < float("inf"):
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


@dataclass(frozen=True)
class VariantSpec:
    """Shape, fold and formats of one Spikformer SSA, SDSA or A²OS²A attention core. ``lanes`` divides
    the head dimension (SSA, A²OS²A) or ``embed_dim`` (SDSA, channel-wise: ``num_heads`` is not used);
    ``frac_bits`` are the LIF membrane's fractional bits, ``k_bits`` A²OS²A's unsigned K bits."""

    variant: str
    embed_dim: int = 16
    num_heads: int = 2
    tokens: int = 8
    T: int = 4
    lanes: int = 1
    frac_bits: int = 4
    k_bits: int = 6
    seed: int = 0

    def __post_init__(self) -> None:
        if self.variant not in VARIANTS:
            raise InputError(f"variant must be one of {', '.join(VARIANTS)}, got {self.variant!r}")
        for name in ("embed_dim", "num_heads", "tokens", "T", "lanes"):
            _positive(name, getattr(self, name))
        heads_split(self.embed_dim, self.heads)
        if self.head_dim % self.lanes:
            what = "embed_dim" if self.variant == "sdsa" else "head dimension"
            raise InputError(
                f"lanes {self.lanes} does not divide the {what} {self.head_dim}; "
                f"choose lanes from {self.lane_choices()}"
            )
        for name, low, high in (("frac_bits", 1, 16), ("k_bits", 1, 15)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise InputError(f"{name} must be an integer from {low} to {high}, got {value!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise InputError(f"seed must be a non-negative integer, got {self.seed!r}")

    @property
    def block(self) -> str:
        """The spec's ``block:`` name."""
        return f"{self.variant}_attention"

    @property
    def heads(self) -> int:
        """SDSA is channel-wise: one "head" of every channel."""
        return 1 if self.variant == "sdsa" else self.num_heads

    @property
    def head_dim(self) -> int:
        """What the lanes fold: the head dimension (SDSA: ``embed_dim``)."""
        return self.embed_dim // self.heads

    @property
    def chunks(self) -> int:
        return self.head_dim // self.lanes

    def lane_choices(self) -> list[int]:
        """Every fold this core accepts: the divisors of what the lanes fold."""
        return _divisors(self.head_dim)


def _check_block(block, allowed=BLOCKS) -> None:
    if block not in allowed:
        raise InputError(f"block {block!r} is not supported here; choose one of {', '.join(allowed)}")


_SPECS = {ATTENTION_BLOCK: AttentionSpec, SSM_BLOCK: SsmSpec, CPG_BLOCK: CpgSpec}


def _positive(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError(f"{name} must be a positive integer, got {value!r}")
    check_count(name, value, "dim")  # every later fold search is bounded by this


def _divisors(n: int) -> list[int]:
    small = [k for k in range(1, int(n ** 0.5) + 1) if n % k == 0]
    return sorted(set(small + [n // k for k in small]))


def spec_from_dict(raw: object, source: str = "spec") -> AttentionSpec | SsmSpec | CpgSpec | VariantSpec:
    """The spec named by ``block`` (default: attention) from a mapping; unknown keys are an error."""
    if not isinstance(raw, dict):
        raise InputError(f"{source}: expected a mapping of options, got {type(raw).__name__}")
    block = raw.get("block", ATTENTION_BLOCK)
    try:
        _check_block(block)
    except InputError as error:
        raise InputError(f"{source}: {error}") from None
    if block in VARIANT_BLOCKS:  # one spec class for the three cores; the block name picks the variant
        cls, options = VariantSpec, {"variant": VARIANT_BLOCKS[block], **{k: v for k, v in raw.items() if k != "block"}}
        known = {f.name for f in fields(cls)} - {"variant"} | {"block"}
    else:
        cls, options = _SPECS[block], raw
        known = {f.name for f in fields(cls)}
    unknown = sorted(set(raw) - known, key=str)
    if unknown:
        raise InputError(f"{source}: unknown option(s) {', '.join(map(str, unknown))}; known: {', '.join(sorted(known))}")
    seed = options.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2 ** 32:
        raise InputError(f"{source}: seed must be a non-negative integer below 2**32, got {seed!r}")
    try:
        return cls(**options)
    except InputError as error:
        raise InputError(f"{source}: {error}") from None


def load_spec(path: Path) -> AttentionSpec | SsmSpec | CpgSpec | VariantSpec:
    """Read a YAML block spec."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"spec file {path} does not exist")
    return spec_from_dict(read_yaml(path), str(path))
