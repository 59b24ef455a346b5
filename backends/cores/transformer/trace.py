"""The transformer engine's co-simulation trace as its integer twin predicts it.

The engine's SB_SPRAM256KA runs as yosys's own model of the primitive in co-simulation (the core's
`uses_cell_models`), so synthesis and simulation use the same cell. The expected trace holds every
stage output of every step (spikes, residual counts, scores), the logits and the cycle model's counts
(the weight load after reset, then the busy clocks of each inference).
"""

from __future__ import annotations

import numpy as np

from sc_neurocore.sim.twins.transformer import FixedTransformer

from sc_neurocore.backends.cores.transformer.design import cycles_per_inference, transformer_layout, weight_load_cycles

__all__ = ["expected_transformer_trace"]


def _stage_values(trace: dict, signal: str, t: int, b: int) -> np.ndarray:
    values = trace[signal][t, b]
    if signal.startswith("score"):  # (H, L, L) -> the engine's (query token, head, key token) order
        values = values.transpose(1, 0, 2)
    return values.ravel()


def expected_transformer_trace(fixed: FixedTransformer, steps: int, inputs: np.ndarray) -> list[str]:
    """The twin's run of ``inputs`` (B, L*P) in [0, 1], in the testbench's order and format."""
    layout = transformer_layout(fixed)
    x = np.broadcast_to(np.asarray(inputs, np.float64), (steps, *np.shape(inputs)))
    trace = fixed.trace(x)
    cycles = cycles_per_inference(layout, steps)
    lines = [f"W {weight_load_cycles(layout)}"]
    for b in range(x.shape[1]):
        for t in range(steps):
            for index, stage in enumerate(layout.stages):
                if stage.signal is not None:
                    values = _stage_values(trace, stage.signal, t, b)
                    lines += [f"E {b} {t} {index} {n} {int(v)}" for n, v in enumerate(values)]
        lines += [f"L {b} {k} {int(v)}" for k, v in enumerate(trace["logits"][b])]
        lines.append(f"N {b} {cycles}")
    return lines
