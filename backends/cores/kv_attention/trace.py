"""The attention-variant cores' co-simulation traces as their integer twins predict them, one time step
at a time: the K^T V layer's LIF updates by (head, token, dim), the SDSA core's channel LIF updates and its
gated outputs by chunk."""

from __future__ import annotations

from sc_neurocore.sim.twins.attention_variants import VariantRun, VariantSpec
from sc_neurocore.models.attention import split_heads

__all__ = ["kv_layer_lines", "channel_lines"]


def kv_layer_lines(spec: VariantSpec, run: VariantRun, t: int) -> list[str]:
    """SSA, A²OS²A: "U t index y u spike" for every (head, token, dim) of step `t`."""
    y, u, s = (split_heads(a[t], spec.heads).reshape(-1) for a in (run.y, run.u, run.spikes))
    return [f"U {t} {i} {int(y[i])} {int(u[i])} {int(s[i])}" for i in range(y.size)]


def channel_lines(spec: VariantSpec, run: VariantRun, t: int) -> list[str]:
    """SDSA, chunk by chunk: "N t channel y u spike" for the chunk's channels, then "O t index spike" of
    every token's gated output in those channels."""
    lanes, lines = spec.lanes, []
    for chunk in range(spec.chunks):
        channels = range(chunk * lanes, (chunk + 1) * lanes)
        lines += [f"N {t} {c} {int(run.y[t, c])} {int(run.u[t, c])} {int(run.spikes[t, c])}" for c in channels]
        lines += [f"O {t} {n * spec.embed_dim + c} {int(run.out[t, n, c])}"
                  for n in range(spec.tokens) for c in channels]
    return lines
