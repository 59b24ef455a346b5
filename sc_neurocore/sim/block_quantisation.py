"""What fixed point costs a block op: its integer twin (sim.twins) against its float model, on the same input.

:func:`quantise_block` runs the integer twin of a block op (the arithmetic of its RTL) with the op's
own arrays and returns ``output_spike_agreement`` (the fraction of output spike decisions that agree
with the float op) plus the twin's full report:

==========================  ====================================================================
spike_driven_attention      :mod:`sc_neurocore.sim.twins.seed_attention` (Q/K/V IF projections and core)
spiky_state_space           :mod:`sc_neurocore.sim.twins.ssm` (S4D-Real recurrence and gate)
cpg_encoder (cpg-pe)        :mod:`sc_neurocore.sim.twins.cpg` (phase accumulators and comparators)
spikformer_ssa, sdsa,       :mod:`sc_neurocore.sim.twins.attention_variants`: the attention core between the
a2os2a                      projections, fed the Q/K/V spikes of the float op's own forward pass
==========================  ====================================================================

The CPG's Kuramoto mode and the trained transformer's ops have no integer twin yet.
"""

from __future__ import annotations

import numpy as np

from sc_neurocore.errors import InputError, UnsupportedError
from sc_neurocore.ir import blocks as ops
from sc_neurocore.sim.block_forward import block_model
from sc_neurocore.sim.twins import seed_attention as fa
from sc_neurocore.sim.twins import attention_variants as fv
from sc_neurocore.sim.twins.cpg import cpg_report
from sc_neurocore.sim.twins.ssm import quantise_ssm, ssm_report, ssm_spec_for
from sc_neurocore.transformers.spec import CpgSpec

__all__ = ["quantise_block"]

DEFAULT_TOKENS = 16
DEFAULT_STEPS = 8


def quantise_block(block: ops.BlockOp, x: np.ndarray | None = None, *, in_bits: int = 8, weight_bits: int = 8,
                   state_bits: int = 16, frac_bits: int = 4, k_bits: int = 6, phase_bits: int = 16,
                   seed: int = 0) -> dict:
    """``{"kind", "output_spike_agreement", "report"}`` for `block` on input `x` (one batch element in
    the op's layout: ``(N, D)`` rates for the seed attention, ``(T, N, D)`` for SSA/SDSA/A²OS²A,
    ``(T, D)`` for the SSM; unused by the CPG). Without `x`, seeded rates in [0, 1) from `seed`."""
    handlers = {
        ops.SpikeDrivenAttentionOp: lambda: _seed_attention(block_model(block), x, in_bits, weight_bits, seed),
        ops.SpikyStateSpaceOp: lambda: _ssm(block_model(block), x, in_bits, weight_bits, state_bits, seed),
        ops.CPGEncoderOp: lambda: _cpg(block, phase_bits),
        ops.SpikformerSSAOp: lambda: _variant("ssa", block_model(block), x, frac_bits, k_bits, seed),
        ops.SpikeDrivenSelfAttentionOp: lambda: _variant("sdsa", block_model(block), x, frac_bits, k_bits, seed),
        ops.AdditionOnlyAttentionOp: lambda: _variant("a2os2a", block_model(block), x, frac_bits, k_bits, seed),
    }
    handler = handlers.get(type(block))
    if handler is None:
        raise UnsupportedError(f"op {block.KIND!r} has no integer twin yet; ones that do: "
                               f"{', '.join(cls.KIND for cls in handlers)}")
    agreement, report = handler()
    return {"kind": block.KIND, "output_spike_agreement": agreement, "report": report}


def _input(x, shape, seed: int) -> np.ndarray:
    if x is None:
        return np.random.default_rng(seed).random(shape)
    x = np.asarray(x, dtype=np.float64)
    if x.shape[-1] != shape[-1] or x.ndim != len(shape):
        raise InputError(f"input must have {len(shape)} axes and last axis {shape[-1]}, got shape {x.shape}")
    return x


def _seed_attention(op, x, in_bits, weight_bits, seed):
    x = _input(x, (DEFAULT_TOKENS, op.embed_dim), seed)
    spec = fa.attention_spec_for(op, tokens=x.shape[0], in_bits=in_bits, weight_bits=weight_bits)
    report = fa.quantisation_report(fa.quantise_attention(spec, x, model=op))
    return report["output_spike_agreement"], report


def _ssm(op, x, in_bits, weight_bits, state_bits, seed):
    x = _input(x, (DEFAULT_STEPS * 4, op.d_model), seed)
    spec = ssm_spec_for(op, T=x.shape[0], in_bits=in_bits, weight_bits=weight_bits, state_bits=state_bits)
    report = ssm_report(quantise_ssm(spec, x, model=op))
    return report["spike_agreement"], report


def _cpg(op, phase_bits):
    if op.mode != "cpg-pe":
        raise UnsupportedError(f"the CPG's integer twin is for mode 'cpg-pe'; this op runs {op.mode!r}")
    report = cpg_report(CpgSpec(d_model=op.d_model, positions=op.max_len, phase_bits=phase_bits))
    return report["spike_agreement"], report


def _variant(variant, op, x, frac_bits, k_bits, seed):
    """The integer core fed the Q/K/V spikes of the float op's own forward pass on `x`."""
    if op.tau != 2.0:
        raise UnsupportedError(f"the {variant} integer core is a tau-2 LIF (a shift); this op has tau {op.tau}")
    x = _input(x, (DEFAULT_STEPS, DEFAULT_TOKENS, op.dim), seed)
    steps, tokens, _ = x.shape
    spec = fv.VariantSpec(variant, embed_dim=op.dim, num_heads=getattr(op, "num_heads", 1), tokens=tokens, T=steps,
                          frac_bits=frac_bits, k_bits=k_bits)
    op.forward(x[:, None])
    s = op.last_spikes
    if variant == "ssa":
        q, k, v = (s["qkv"][:, 0, :, i * op.dim : (i + 1) * op.dim] for i in range(3))
        attention = s["attn"][:, 0]
    else:
        q, k, v = (s[name][:, 0] for name in "qkv")
        attention = (s["gated"] if variant == "sdsa" else s["attn"])[:, 0]
    run = fv.run_variant(spec, fv.variant_stimulus(spec, q, k, v, op))
    agreement = float(np.mean(run.out == attention))
    report = {"variant": variant, "frac_bits": frac_bits, "k_bits": k_bits if variant == "a2os2a" else None,
              "qkv_rates": [float(np.mean(np.abs(a))) for a in (q, k > 0, v)],
              "output_rate": float(np.mean(attention)), "output_spike_agreement": agreement}
    return agreement, report
