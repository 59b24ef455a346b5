"""Integer twins: NumPy executors of exactly what each hardware block computes (formats, rounding,
saturation, update order), the specification its RTL is co-simulated against.

:mod:`.seed_attention` (the seed ``SpikeDrivenAttention``), :mod:`.attention_variants` (the SSA, SDSA and
A²OS²A cores), :mod:`.ssm` (S4D-Real), :mod:`.cpg` (CPG-PE), :mod:`.softmax_attention` (the MAC
baseline), :mod:`.mlp` and :mod:`.transformer` (trained models, in the formats of :mod:`.quant`). Their
neuron and scale arithmetic is :mod:`sc_neurocore.models.fixed_point`.
"""
