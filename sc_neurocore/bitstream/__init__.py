"""Stochastic-computing bitstreams: generators, packed arithmetic, correlation and stream allocation.

Everything here is bit-true with `hdl/sc/sc_lfsr.sv` and `hdl/sc/sc_sng.sv`; see `docs/stochastic.md`.
"""

from .allocator import DEFAULT_STRIDE, MAX_VIEWS, StreamAllocation, StreamView, allocate_streams
from .correlation import scc
from .gf2 import is_primitive, mask_to_polynomial, primitive_masks
from .lfsr import FORMS, LfsrSpec, lfsr_spec, lfsr_states, lfsr_step, lfsr_step_map
from .ops import apc_count, dot, mux_add, parallel_count, sc_and, sc_mux, sc_xnor
from .packed import Bitstreams, decode_bipolar, decode_unipolar, pack, popcount, unpack, word_count
from .sng import (
    bipolar_to_unipolar,
    comparator_bits,
    comparator_words,
    encode_bernoulli,
    encode_lfsr,
    lfsr_threshold,
)
from .sobol import encode_sobol, sobol_directions, sobol_words
from .taps import MAX_WIDTH, MIN_WIDTH, TAP_EXPONENTS, default_taps

__all__ = [
    "Bitstreams",
    "DEFAULT_STRIDE",
    "FORMS",
    "LfsrSpec",
    "MAX_VIEWS",
    "MAX_WIDTH",
    "MIN_WIDTH",
    "StreamAllocation",
    "StreamView",
    "TAP_EXPONENTS",
    "allocate_streams",
    "apc_count",
    "bipolar_to_unipolar",
    "comparator_bits",
    "comparator_words",
    "decode_bipolar",
    "decode_unipolar",
    "default_taps",
    "dot",
    "encode_bernoulli",
    "encode_lfsr",
    "encode_sobol",
    "is_primitive",
    "lfsr_spec",
    "lfsr_states",
    "lfsr_step",
    "lfsr_step_map",
    "lfsr_threshold",
    "mask_to_polynomial",
    "mux_add",
    "pack",
    "parallel_count",
    "popcount",
    "primitive_masks",
    "sc_and",
    "sc_mux",
    "sc_xnor",
    "scc",
    "sobol_directions",
    "sobol_words",
    "unpack",
    "word_count",
]
