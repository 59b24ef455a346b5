"""Tutorial 54: spiking transformers and state-space models — the tutorial's code as written."""

import numpy as np
from sc_neurocore.transformers import SpikeDrivenAttention

ssa = SpikeDrivenAttention(
    embed_dim=64,
    num_heads=4,
    T=8,  # simulation timesteps per token
    threshold=1.0,  # spike threshold for Q, K projections
)
# 10 tokens, 64 dimensions
x = np.random.rand(10, 64).astype(np.float32)
output = ssa.forward(x)
print(f"Input: {x.shape}")  # (10, 64)
print(f"Output: {output.shape}")  # (10, 64)
print(f"Multiply ops in attention core: {ssa.num_multiply_ops}")  # 0

# Multi-head splits embed_dim across heads
# 4 heads × 16 dims = 64 total
ssa = SpikeDrivenAttention(embed_dim=64, num_heads=4, T=8)
# Each head independently computes spike attention
output = ssa.forward(x)
# Heads are concatenated and linearly projected back to embed_dim

from sc_neurocore.transformers import SpikyStateSpace

ssm = SpikyStateSpace(
    d_model=32,
    d_state=64,  # hidden state dimension
    threshold=1.0,
    dt=0.01,  # discretisation step
)
# Batch process a 200-step sequence
x_seq = np.random.rand(200, 32).astype(np.float32)
spike_output = ssm.forward(x_seq)  # (200, 32) binary spikes
print(f"Spike rate: {spike_output.mean():.3f}")
# Or step-by-step (online inference, O(1) memory)
ssm.reset()
for t in range(200):
    spikes, state = ssm.step(x_seq[t])
    if t % 50 == 0:
        print(f" t={t}: {spikes.sum()} spikes, state norm={np.linalg.norm(state):.2f}")

from sc_neurocore.transformers import CPGPositionalEncoding

cpe = CPGPositionalEncoding(d_model=64, max_len=512)
# Continuous encoding (float values in [0, 1])
pos_enc = cpe.encode(seq_len=100)  # (100, 64)
# Spike-encoded (binary, rate-coded positions)
pos_spikes = cpe.encode_spikes(seq_len=100)  # (100, 64) binary
print(f"Continuous: mean={pos_enc.mean():.3f}, std={pos_enc.std():.3f}")
print(f"Spike rate: {pos_spikes.mean():.3f}")

from sc_neurocore.training import atan_surrogate  # noqa: F401  (as in the tutorial's training section)

# The attention threshold is learnable — training optimises
# the sparsity of the attention pattern
ssa = SpikeDrivenAttention(
    embed_dim=64,
    num_heads=4,
    T=8,
    threshold=1.0,  # initial, will be optimised
)
