"""The attention-variant cores as cores: Spikformer SSA and A²OS²A (one K^T V layer, `hdl/attention/attn_kv_layer.sv`)
and channel-wise SDSA (`hdl/attention/sdsa_core.sv`), each behind the narrow host port `hdl/attention/attn_kv_stream.sv`.

One implementation serves the three kinds; what differs is said once per class: the K^T V layer and the
channel-wise core override the shape methods, SSA and A²OS²A differ in `ternary` (V's V- words) and K's
bits. The stimulus of `emit`, `expected_trace` and `cosimulate` is a
:class:`~sc_neurocore.sim.twins.attention_variants.VariantStimulus`; None is the float model's own Q/K/V on
its seeded input (see :func:`~sc_neurocore.sim.twins.attention_variants.model_qkv`).
"""

from __future__ import annotations

from dataclasses import replace
from functools import cached_property
from typing import ClassVar

import numpy as np

from sc_neurocore.errors import InputError
from sc_neurocore.sim.twins.attention_variants import (
    VariantRun, VariantSpec, VariantStimulus, model_qkv, run_variant, variant_formats, variant_stimulus,
)
from sc_neurocore.models.attention import merge_heads, split_heads

from sc_neurocore.backends.build.plan import BuildPlan
from sc_neurocore.backends.build.stream import DENSE, StreamPort, lane_words, words_lanes
from sc_neurocore.backends.cores.core import FoldedCore
from sc_neurocore.backends.cores.kv_attention import fit, trace
from sc_neurocore.backends.cores.kv_attention.design import address_bits, emit_variant, pack_bits
from sc_neurocore.backends.device import Ice40Device, pin_and_ebr_shortfalls

__all__ = ["VariantCore", "KvLayerCore", "SsaCore", "A2os2aCore", "SdsaCore"]


class VariantCore(FoldedCore):
    """An attention-variant core of `spec`; `stimulus` is what its testbench replays by default (None: the
    float model's own Q/K/V). Its LIF threshold (which sizes the membranes) is that stimulus's."""

    variant: ClassVar[str]  # VariantSpec.variant
    library: ClassVar[tuple[str, ...]]  # hdl modules under the generated top
    module: ClassVar[str]  # the hdl module the top instantiates
    template_kind: ClassVar[str]  # the templates' branch: "kv" or "sdsa"
    description: ClassVar[str]  # what the generated top's header calls the core
    out_order: ClassVar[str]  # the order of the output words, for the header
    no_fold_advice = "no fold fits: use fewer tokens, a smaller embedding or fewer heads"

    def __init__(self, spec: VariantSpec, stimulus: VariantStimulus | None = None):
        if spec.variant != self.variant:
            raise InputError(f"{type(self).__name__} builds {self.variant} specs, got {spec.variant!r}")
        self.spec = spec
        if stimulus is not None:
            self.default_stimulus = stimulus

    example_shape: ClassVar[dict]  # the registry test's small configuration

    @classmethod
    def example(cls) -> VariantCore:
        return cls(VariantSpec(cls.variant, **cls.example_shape))

    def cosim_cycles(self, stimulus: VariantStimulus | None = None) -> int:
        """Activity-independent: every time step takes the host port's clocks."""
        return self.spec.T * self.stream_cycles_per_step()

    @cached_property
    def default_stimulus(self) -> VariantStimulus:
        """The float model's own Q/K/V on its seeded input."""
        model, q, k, v, _ = model_qkv(self.spec)
        return variant_stimulus(self.spec, q, k, v, model)

    @property
    def theta(self) -> int:
        """The LIF threshold in membrane units: it sizes the membranes, so the fit check reads it."""
        return self.default_stimulus.theta

    # -- what the kinds differ in --------------------------------------------------------------------------
    def cycles_per_step(self) -> int:
        """Core busy cycles of one time step (the RTL's schedule; the co-simulation measures it)."""
        raise NotImplementedError

    def host_word_bits(self) -> int:
        """Bits of a host word."""
        raise NotImplementedError

    def section_words(self) -> tuple[int, int, int]:
        """Words of the Q (and V) sections, of the K section, and the number of sections."""
        raise NotImplementedError

    def module_parameters(self, theta: int) -> list[tuple[str, int]]:
        """The hdl module's parameters, formats sized by :func:`variant_formats`."""
        raise NotImplementedError

    def load_address_bits(self) -> int:
        """Bits of the core's load address."""
        raise NotImplementedError

    def step_words(self, stimulus: VariantStimulus, t: int) -> list[tuple[int, int, int]]:
        """Time step `t`'s load-port writes ``(sel, addr, data)``."""
        raise NotImplementedError

    def trace_lines(self, run: VariantRun, t: int) -> list[str]:
        """Time step `t` of the twin's run, as the testbench writes it."""
        raise NotImplementedError

    def ebr_estimate(self) -> int:
        """Block RAMs of the core's memories. An upper bound: yosys keeps a memory of a few words in
        flip-flops, and drops the membrane's low fraction bits when no spike depends on them (a threshold
        that is a multiple of 2^F)."""
        raise NotImplementedError

    def shape_text(self) -> str:
        raise NotImplementedError

    def section_text(self) -> str:
        raise NotImplementedError

    # -- written once --------------------------------------------------------------------------------------
    @property
    def top(self) -> str:
        return f"{self.variant}_top"

    @property
    def sources(self) -> tuple[str, ...]:
        """The generated top and the library modules it needs, top first."""
        return (f"{self.top}.sv", *self.library)

    def top_level_io_bits(self) -> int:
        """clk, rst, in_valid, busy, out_valid + one host word + one output spike per lane."""
        return 5 + self.host_word_bits() + self.spec.lanes

    def words_per_step(self) -> int:
        """Host words of one time step: every section once."""
        words, kwords, sections = self.section_words()
        return kwords + (sections - 1) * words

    def stream_cycles_per_step(self) -> int:
        """Clocks of one time step at the host port: its words, one clock to start, the core's busy cycles."""
        return self.words_per_step() + 1 + self.cycles_per_step()

    def load_words(self, stimulus: VariantStimulus) -> list[list[tuple[int, int, int]]]:
        """Per time step, the load-port writes ``(sel, addr, data)``."""
        return [self.step_words(stimulus, t) for t in range(self.spec.T)]

    def emit(self, stimulus: VariantStimulus | None = None) -> BuildPlan:
        return self.with_stream(emit_variant(self, self.default_stimulus if stimulus is None else stimulus))

    # -- the host stream port: per time step its load words in, its attention spike words out ----------
    def stream_port(self) -> StreamPort:
        s, bits = self.spec, self.host_word_bits()
        return StreamPort(native=self.top, format=DENSE, in_bits=bits, native_in_bits=bits, out_bits=s.lanes,
                          out_port="out_spikes", burst=s.heads * s.tokens * s.chunks, unit="time step",
                          out_fields=s.lanes,
                          unit_words=self.words_per_step())

    def stream_words(self, stimulus: VariantStimulus | None = None) -> tuple[list[int], list[list[int]]]:
        mask = (1 << self.host_word_bits()) - 1
        steps = self.load_words(self.default_stimulus if stimulus is None else stimulus)
        return [], [[int(data) & mask for _, _, data in step] for step in steps]

    def twin_outputs(self, stimulus: VariantStimulus | None = None) -> list:
        """Per time step the attention spikes [tokens, embed_dim]."""
        run = run_variant(self.spec, self.default_stimulus if stimulus is None else stimulus)
        return [self.step_output(run, t).astype(np.int64) for t in range(self.spec.T)]

    def expected_stream_output(self, stimulus: VariantStimulus | None = None) -> list[list[int]]:
        return [lane_words(self.word_order(out), self.spec.lanes) for out in self.twin_outputs(stimulus)]

    def stream_outputs(self, words: list[int]):
        return self.natural_order(words_lanes(words, self.spec.lanes))

    def expected_trace(self, stimulus: VariantStimulus | None = None) -> list[str]:
        run = run_variant(self.spec, self.default_stimulus if stimulus is None else stimulus)
        return [line for t in range(self.spec.T) for line in self.trace_lines(run, t)]

    def with_lanes(self, lanes: int) -> VariantCore:
        """The same core and stimulus on another fold (the threshold does not depend on it)."""
        return type(self)(replace(self.spec, lanes=lanes), self.default_stimulus)

    def needs(self, part: Ice40Device, pins: int) -> list[str]:
        return pin_and_ebr_shortfalls(self.top_level_io_bits(), self.ebr_estimate(), part, pins)

    def throughput(self, fmax_mhz: float | None) -> dict:
        """Exact: the schedule does not depend on the spikes."""
        return fit.throughput(self.words_per_step(), self.cycles_per_step(), fmax_mhz)


class KvLayerCore(VariantCore):
    """SSA and A²OS²A: attention in K^T V order per head (`hdl/attention/attn_kv_layer.sv`). Host words are a head's
    d-bit spike word or one K value; output words by (head, token, chunk)."""

    library = ("attn_kv_stream.sv", "attn_kv_layer.sv", "attn_kv_core.sv", "attn_lif.sv", "attn_membranes.sv")
    module = "attn_kv_layer"
    template_kind = "kv"
    description = "Linear-order (K^T V) attention"
    out_order = "by (head, token, chunk)"
    example_shape = dict(embed_dim=16, num_heads=2, tokens=8, T=4, lanes=2)
    ternary: ClassVar[bool]  # V is ternary: V- words beside V+ words

    @property
    def key_bits(self) -> int:
        """Unsigned K bits (1: a binary spike, sent as d-bit words like Q)."""
        return 1

    def cycles_per_step(self) -> int:
        s = self.spec
        return s.heads * (2 * s.tokens * s.head_dim * s.chunks + 4) + 3

    def host_word_bits(self) -> int:
        return max(self.spec.head_dim, self.key_bits)

    def section_words(self) -> tuple[int, int, int]:
        tokens = self.spec.heads * self.spec.tokens
        kwords = tokens if self.key_bits == 1 else tokens * self.spec.head_dim
        return tokens, kwords, 4 if self.ternary else 3

    def module_parameters(self, theta: int) -> list[tuple[str, int]]:
        s, f = self.spec, variant_formats(self.spec, theta)
        return [("N", s.tokens), ("H", s.heads), ("DH", s.head_dim), ("LANES", s.lanes), ("KB", f.kb),
                ("TERNARY", int(self.ternary)), ("KVB", f.kvb), ("YB", f.yb), ("AB", f.ab),
                ("F", s.frac_bits), ("TH", theta)]

    def load_address_bits(self) -> int:
        """Wide enough for one K value per address."""
        return address_bits(self.spec.heads * self.spec.tokens * self.spec.head_dim)

    def step_words(self, stimulus: VariantStimulus, t: int) -> list[tuple[int, int, int]]:
        """Q words at ``h * N + n`` (sel 0), K (sel 1: binary K as words at ``h * N + n``, else values at
        ``(h * N + n) * DH + a``), V+ and V- words (sel 2, 3; V- only for ternary V)."""
        q_h, k_h, v_h = (split_heads(a[t], self.spec.heads) for a in (stimulus.q, stimulus.k, stimulus.v))
        words = [(0, i, w) for i, w in enumerate(pack_bits(q_h > 0))]
        if self.key_bits == 1:
            words += [(1, i, w) for i, w in enumerate(pack_bits(k_h > 0))]
        else:
            words += [(1, i, int(value)) for i, value in enumerate(k_h.reshape(-1))]
        words += [(2, i, w) for i, w in enumerate(pack_bits(v_h > 0))]
        if self.ternary:
            words += [(3, i, w) for i, w in enumerate(pack_bits(v_h < 0))]
        return words

    def trace_lines(self, run: VariantRun, t: int) -> list[str]:
        return trace.kv_layer_lines(self.spec, run, t)

    def step_output(self, run: VariantRun, t: int):
        return run.spikes[t]

    def word_order(self, out):
        """[tokens, embed_dim] in the output words' order: by (head, token, dim)."""
        return split_heads(out, self.spec.heads)

    def natural_order(self, bits):
        s = self.spec
        return merge_heads(bits.reshape(s.heads, s.tokens, s.head_dim))

    def ebr_estimate(self) -> int:
        return fit.kv_layer_ebr(self.spec, variant_formats(self.spec, self.theta), 3 if self.ternary else 2)

    def shape_text(self) -> str:
        return f"{self.spec.heads} heads x {self.spec.tokens} tokens x {self.spec.head_dim} dims"

    def section_text(self) -> str:
        key = "K words" if self.key_bits == 1 else "K values"
        return f"Q words, {key}, V+ words" + (", V- words" if self.ternary else "")


class SsaCore(KvLayerCore):
    """Spikformer SSA: binary Q, K and V."""

    kind = "ssa_attention"
    variant = "ssa"
    title = "SSA attention core"
    ternary = False

    def stream_test_stimulus(self) -> VariantStimulus:
        """Seeded binary Q, K, V at 50 % (the model's own make no attention spike in the example), with the
        model's threshold: the hardware is the same."""
        own, rng = self.default_stimulus, np.random.default_rng(0)
        q, k, v = ((rng.random(a.shape) < 0.5).astype(np.int64) for a in (own.q, own.k, own.v))
        return replace(own, q=q, k=k, v=v)


class A2os2aCore(KvLayerCore):
    """A²OS²A: A quantised real K of `k_bits` unsigned bits and a ternary V."""

    kind = "a2os2a_attention"
    variant = "a2os2a"
    title = "A²OS²A attention core"
    ternary = True

    @property
    def key_bits(self) -> int:
        return self.spec.k_bits


class SdsaCore(VariantCore):
    """SDSA, channel-wise (`hdl/attention/sdsa_core.sv`): Q, K and V as lanes-bit chunks; the "head" is every channel."""

    kind = "sdsa_attention"
    variant = "sdsa"
    title = "SDSA attention core"
    example_shape = dict(embed_dim=16, tokens=8, T=4, lanes=2)
    library = ("attn_kv_stream.sv", "sdsa_core.sv", "attn_lif.sv", "attn_membranes.sv")
    module = "sdsa_core"
    template_kind = "sdsa"
    description = "SDSA (channel-wise)"
    out_order = "chunk-major (word k: token k % N)"

    def cycles_per_step(self) -> int:
        return self.spec.chunks * (2 * self.spec.tokens + 4) + 1

    def host_word_bits(self) -> int:
        return self.spec.lanes

    def section_words(self) -> tuple[int, int, int]:
        words = self.spec.tokens * self.spec.chunks
        return words, words, 3

    def module_parameters(self, theta: int) -> list[tuple[str, int]]:
        s, f = self.spec, variant_formats(self.spec, theta)
        return [("N", s.tokens), ("D", s.embed_dim), ("LANES", s.lanes), ("YB", f.yb), ("AB", f.ab),
                ("F", s.frac_bits), ("TH", theta)]

    def load_address_bits(self) -> int:
        return address_bits(self.spec.tokens * self.spec.chunks)

    def step_words(self, stimulus: VariantStimulus, t: int) -> list[tuple[int, int, int]]:
        """Q, K, V as ``lanes``-bit words at ``n * chunks + chunk`` (sel 0, 1, 2)."""
        s = self.spec
        chunked = [a[t].reshape(s.tokens, s.chunks, s.lanes) > 0 for a in (stimulus.q, stimulus.k, stimulus.v)]
        return [(sel, i, w) for sel, plane in enumerate(chunked) for i, w in enumerate(pack_bits(plane))]

    def trace_lines(self, run: VariantRun, t: int) -> list[str]:
        return trace.channel_lines(self.spec, run, t)

    def step_output(self, run: VariantRun, t: int):
        return run.out[t]

    def word_order(self, out):
        """[tokens, embed_dim] in the output words' order: chunk-major (word k: token k % N, chunk k // N)."""
        s = self.spec
        return out.reshape(s.tokens, s.chunks, s.lanes).transpose(1, 0, 2)

    def natural_order(self, bits):
        s = self.spec
        return bits.reshape(s.chunks, s.tokens, s.lanes).transpose(1, 0, 2).reshape(s.tokens, s.embed_dim)

    def ebr_estimate(self) -> int:
        return fit.channel_ebr(self.spec, variant_formats(self.spec, self.theta))

    def shape_text(self) -> str:
        return f"{self.spec.tokens} tokens x {self.spec.embed_dim} channels"

    def section_text(self) -> str:
        return "Q, K, V as lanes-bit chunks at token * chunks + chunk"
