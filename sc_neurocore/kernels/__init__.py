"""Linear operators over flat, batch-first activations: the synaptic part of a projection.

Every operator maps x [B, n_in] to y [B, n_out]; tensors are flattened in C order (channel, then rows,
then columns), so NIR's Flatten is the identity here. A projection is either one dense matrix (the
fast, hardware-mapped path) or a `Chain` of these operators when it contains a convolution or pooling,
which must not be densified: a 2x34x34 -> 16x16x16 convolution would be a 4096 x 2312 matrix.

The operators sit below both stages that use them: lowering composes and densifies them
(:mod:`sc_neurocore.passes`), the executors run them (:mod:`sc_neurocore.sim`).
"""

from .chain import DENSIFY_LIMIT, Chain
from .conv import ConvOp
from .dense import DenseOp, ScaleOp
from .exact import SPIKES, Grid, Operator

__all__ = ["DenseOp", "ScaleOp", "ConvOp", "Chain", "Grid", "SPIKES", "Operator", "DENSIFY_LIMIT"]
