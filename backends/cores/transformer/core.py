"""The trained spiking transformer's token-wise engine (hdl/transformer/tfm_engine.sv) as a Core: `train`'s model on
one folded datapath, its weights streamed into SPRAM by the host after reset. Its stimulus is features
(B, L*P) in [0, 1], one inference per row (default: one blank image)."""

from __future__ import annotations

from functools import cached_property

import numpy as np

from sc_neurocore.errors import InputError
from sc_neurocore.training.export import TRANSFORMER_TAG, transformer_from_graph
from sc_neurocore.sim.twins.transformer import FixedTransformer
from sc_neurocore.training.accuracy import transformer_accuracy
from sc_neurocore.sim.twins.quant import QuantSpec
from sc_neurocore.training.modules.transformer import SpikingTransformer

from sc_neurocore.backends.build.plan import BuildPlan
from sc_neurocore.backends.build.stream import DENSE, StreamPort, unpack_words
from sc_neurocore.backends.cores.core import Core
from sc_neurocore.backends.cores.settings import BlockSettings, refuse_attention_settings
from sc_neurocore.backends.cores.transformer.design import (
    INPUT_BITS, LOGIT_BITS, TFM_TOP, TfmLayout, cycles_per_inference, emit_transformer, pixel_words,
    top_level_io_bits, transformer_layout, weight_bytes,
)
from sc_neurocore.backends.cores.transformer.fit import check_engine_fit, engine_needs
from sc_neurocore.backends.cores.transformer.trace import expected_transformer_trace
from sc_neurocore.backends.device import Ice40Device

__all__ = ["TransformerCore", "TRANSFORMER_BLOCK"]

TRANSFORMER_BLOCK = TRANSFORMER_TAG  # the block's kind is the model file's `sc_neurocore_model` tag


class TransformerCore(Core):
    """The engine for the integer twin `fixed` running `steps` time steps; `accuracy` (float and fixed-point
    accuracy on a test split, see `from_model`) goes into the manifest."""

    kind = TRANSFORMER_BLOCK
    title = "transformer engine"
    model_kind = TRANSFORMER_BLOCK
    uses_cell_models = True  # SB_SPRAM256KA

    def __init__(self, fixed: FixedTransformer, steps: int, accuracy: dict | None = None):
        if steps < 1:
            raise InputError(f"steps must be at least 1, got {steps}")
        self.fixed, self.steps, self.accuracy = fixed, steps, accuracy

    @classmethod
    def from_model(cls, model: SpikingTransformer, steps: int = 4, spec: QuantSpec = QuantSpec(),
                   input_frac_bits: int = 4, test_set: tuple[np.ndarray, np.ndarray] | None = None) -> TransformerCore:
        """Quantise `model` (``FixedTransformer``) and, with `test_set` (features in [0, 1], labels), measure
        its float and fixed-point accuracy."""
        if not isinstance(model, SpikingTransformer):
            raise InputError(f"the transformer engine needs a SpikingTransformer, got {type(model).__name__}")
        if steps < 1:
            raise InputError(f"steps must be at least 1, got {steps}")
        fixed = FixedTransformer.from_model(model, spec, input_frac_bits)
        accuracy = None if test_set is None else transformer_accuracy(model, fixed, steps, test_set)
        return cls(fixed, steps, accuracy)

    @classmethod
    def from_graph(cls, graph, settings: BlockSettings) -> TransformerCore:
        """`sc-neurocore train`'s model file, for the time steps it was trained with."""
        refuse_attention_settings("model", TRANSFORMER_BLOCK, settings)
        if settings.lanes != 1:
            raise InputError(f"--lanes {settings.lanes}: the transformer engine has one datapath (lanes 1)")
        spec = QuantSpec(weight_bits=settings.weight_bits, state_bits=settings.state_bits)
        return cls.from_model(transformer_from_graph(graph), int(graph.metadata.get("steps", 4)), spec)

    @classmethod
    def example(cls) -> TransformerCore:
        """An untrained dim-16, two-head model on two tokens of 8 features, 2 time steps: seconds in Icarus."""
        return cls.from_model(SpikingTransformer(2, 8, 10, dim=16, heads=2, seed=0), steps=2)

    @cached_property
    def layout(self) -> TfmLayout:
        return transformer_layout(self.fixed)

    def emit(self, stimulus=None) -> BuildPlan:
        """The engine, its manifest naming the block, its shape and (when measured) its accuracy."""
        fixed = self.fixed
        return self.with_stream(emit_transformer(fixed, self.steps, stimulus, manifest_extra={
            "block": TRANSFORMER_BLOCK, "accuracy": self.accuracy,
            "spec": {"T": self.steps, "tokens": fixed.tokens, "token_dim": fixed.token_dim,
                     "dim": int(fixed.embed.weight.shape[0]), "heads": fixed.blocks[0].attention.heads,
                     "hidden": int(fixed.blocks[0].fc1.weight.shape[0]), "classes": int(fixed.head_weight.shape[0])},
        }))

    # -- the host stream port: the weight bytes once, then per inference its pixels in, its logits out --
    @property
    def classes(self) -> int:
        return int(self.fixed.head_weight.shape[0])

    def stream_port(self) -> StreamPort:
        return StreamPort(native=TFM_TOP, format=DENSE, in_bits=INPUT_BITS, native_in_bits=INPUT_BITS,
                          out_bits=LOGIT_BITS, out_port="out_data", burst=self.classes, unit="inference", out_signed=True,
                          load_words=len(weight_bytes(self.layout)),
                          unit_words=self.fixed.tokens * self.fixed.token_dim)

    def stream_test_stimulus(self) -> np.ndarray:
        """Two seeded images: the second inference waits for the first's logits."""
        return np.random.default_rng(0).random((2, self.fixed.tokens * self.fixed.token_dim))

    def stream_words(self, stimulus=None) -> tuple[list[int], list[list[int]]]:
        mask = (1 << INPUT_BITS) - 1
        pixels = pixel_words(self.fixed, self._inputs(stimulus))
        return list(weight_bytes(self.layout)), [[int(p) & mask for p in row] for row in pixels]

    def twin_outputs(self, stimulus=None) -> list[np.ndarray]:
        """Per inference its integer logits [classes]."""
        inputs = np.asarray(self._inputs(stimulus), np.float64)
        logits = self.fixed.trace(np.broadcast_to(inputs, (self.steps, *inputs.shape)))["logits"]
        return [np.asarray(row, dtype=np.int64) for row in logits]

    def expected_stream_output(self, stimulus=None) -> list[list[int]]:
        mask = (1 << LOGIT_BITS) - 1
        return [[int(v) & mask for v in row] for row in self.twin_outputs(stimulus)]

    def stream_outputs(self, words: list[int]) -> np.ndarray:
        return np.array([unpack_words(w, 1, LOGIT_BITS, signed=True)[0] for w in words], dtype=np.int64)

    def _inputs(self, stimulus) -> np.ndarray:
        return np.zeros((1, self.fixed.tokens * self.fixed.token_dim)) if stimulus is None else stimulus

    def expected_trace(self, stimulus=None) -> list[str]:
        return expected_transformer_trace(self.fixed, self.steps, self._inputs(stimulus))

    def cosim_cycles(self, stimulus=None) -> int:
        """Activity-independent: every inference takes `cycles_per_inference` busy cycles (the weight load
        after reset is counted apart)."""
        return len(self._inputs(stimulus)) * cycles_per_inference(self.layout, self.steps)

    def needs(self, part: Ice40Device, pins: int) -> list[str]:
        bits = top_level_io_bits(self.layout)
        return ([f"{bits} IO pins (has {pins})"] if bits > pins else []) + engine_needs(self.layout, part)

    def check_fit(self, device_name: str, package: str | None) -> None:
        check_engine_fit(self.layout, device_name, package)
