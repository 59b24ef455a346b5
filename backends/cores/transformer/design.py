"""SystemVerilog for a trained spiking transformer: the stage table and memory images of hdl/transformer/tfm_engine.sv.

The engine is one folded datapath; what makes it this model is data: a table of loop nests (one row of
``FIELDS`` per stage, ``tfm_stages.mem``), the biases and thresholds (``tfm_params.mem``, block RAM
initialised by the bitstream) and the 8-bit weights of every layer (``tfm_weights.mem``: the bytes the
host streams into the engine's weight SPRAMs once after reset, two per 16-bit word). ``transformer_layout(fixed)`` places everything and
checks that the integer twin's formats fit the datapath; ``emit_transformer`` returns a deterministic
BuildPlan with a testbench that runs one inference per given input.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sc_neurocore import __version__
from sc_neurocore.errors import InputError, UnsupportedError
from sc_neurocore.sim.twins.transformer import FixedAffine, FixedLIF, FixedTransformer

from sc_neurocore.backends.build.plan import BuildPlan, TESTBENCH, TRACE_FILE, assemble_plan
from sc_neurocore.backends.build.templates import library_files, memory_image, render_template
from sc_neurocore.backends.device import SPRAM_WORDS

__all__ = [
    "TFM_TOP", "TFM_SOURCES", "TFM_MEMORIES", "FIELDS", "TfmStage", "TfmLayout", "transformer_layout",
    "pixel_words", "weight_banks", "weight_load_cycles", "cycles_per_step", "cycles_per_inference",
    "top_level_io_bits", "emit_transformer",
]

TFM_TOP = "tfm_top"
LIBRARY = ("tfm_engine.sv", "tfm_pointer.sv", "spram_16k16.sv")
TFM_SOURCES = (f"{TFM_TOP}.sv", *LIBRARY)
STAGES_FILE, WEIGHTS_FILE, PARAMS_FILE = "tfm_stages.mem", "tfm_weights.mem", "tfm_params.mem"
TFM_MEMORIES = (STAGES_FILE, PARAMS_FILE)  # read by $readmemh; WEIGHTS_FILE is streamed by the host
STIMULUS_FILE = "tfm_stimulus.mem"

# one 16-bit word each, in this order (hdl/transformer/tfm_engine.sv reads them by index)
FIELDS = ("flags", "r1", "r2", "outs", "ins", "x_base", "x_r1", "x_r2", "x_o", "x_group", "x_j",
          "w_base", "w_r1", "w_r2", "w_o", "w_group", "w_j", "out_base", "res_base", "mem_base",
          "bias_base", "theta_base", "w_base_hi")
X_SPRAM, W_KEY, GATE, EPI_SCORE, EPI_LOGIT, TO_KEY, RESIDUAL, BIAS_PER_INDEX, HAS_BIAS, SHIFT_IN, SHIFT_ATT = (
    1 << bit for bit in range(11))
ACC_BITS, LOGIT_BITS, ACT_BITS = 24, 24, 2
INPUT_BITS = 8            # the input port carries weight bytes after reset, then pixels


@dataclass(frozen=True)
class TfmStage:
    """One loop nest of the engine; ``signal`` names the twin's trace entry it writes (``None``: logits)."""

    name: str
    signal: str | None
    fields: dict


@dataclass(frozen=True)
class TfmLayout:
    stages: tuple[TfmStage, ...]
    weights: tuple[int, ...]        # 8-bit two's complement words
    params: tuple[int, ...]         # 16-bit two's complement words: biases then thresholds
    act_words: int
    key_words: int
    spram_words: int
    pixel_base: int
    pixel_bits: int
    leak_shift: int                 # every LIF: v -= v >>> leak_shift
    attention_shift: int            # attention sums <<< attention_shift onto the LIF_a grid


def _leak_shift(lifs: list[FixedLIF], leak_bits: int) -> int:
    """``ks`` with ``k_int = 2^(16 - ks)`` for every neuron: the leak ``(k_int v) >> 16`` is ``v >>> ks``."""
    leaks = sorted({k for lif in lifs for k in lif.leak.tolist()})
    power = max(leaks[0], 1).bit_length() - 1  # k_int = 2^power when it is a power of two
    if len(leaks) != 1 or leaks[0] != 1 << power or not 1 <= leak_bits - power <= 15:
        raise UnsupportedError(f"the transformer engine needs one leak dt/tau = 2^-n (1 <= n <= 15) in every layer; "
                               f"got k_int {leaks[:4]} (/ 2^{leak_bits})")
    return leak_bits - power


class _Builder:
    """Allocates memory regions while the stages are laid out."""

    def __init__(self, fixed: FixedTransformer):
        self.fixed = fixed
        self.weights: list[int] = []
        self.biases: list[int] = []
        self.thetas: list[int] = []
        self.spram = 0
        self.act = 0
        self.stages: list[TfmStage] = []
        self.lifs: list[FixedLIF] = []

    def region(self, kind: str, size: int) -> int:
        base = getattr(self, kind)
        setattr(self, kind, base + size)
        return base

    def _words16(self, values: np.ndarray, what: str) -> list[int]:
        values = np.asarray(values).ravel()
        if values.size and (values.min() < -(1 << 15) or values.max() >= 1 << 15):
            raise UnsupportedError(f"{what} does not fit 16 bits: retrain with smaller biases or thresholds")
        return [int(v) & 0xFFFF for v in values]

    def stage(self, name: str, signal: str | None, *, rows: tuple[int, int], outs: int, ins: int, flags: int,
              x: tuple, w: tuple, out_base: int = 0, res_base: int = 0, lif: FixedLIF | None = None,
              bias: np.ndarray | None = None) -> None:
        """``x``/``w``: (base, a_r1, a_r2, a_o, group_o, a_j) address generators."""
        fields = dict(r1=rows[0], r2=rows[1], outs=outs, ins=ins, out_base=out_base, res_base=res_base,
                      mem_base=0, bias_base=0, theta_base=0)
        fields.update(zip(("x_base", "x_r1", "x_r2", "x_o", "x_group", "x_j"), x))
        fields.update(zip(("w_base", "w_r1", "w_r2", "w_o", "w_group", "w_j"), w))
        # weight byte addresses pass 16 bits from dim 96 on: the table splits the base in two fields
        fields["w_base"], fields["w_base_hi"] = fields["w_base"] & 0xFFFF, fields["w_base"] >> 16
        if bias is not None:
            flags |= HAS_BIAS | (BIAS_PER_INDEX if bias.ndim == 2 else 0)
            fields["bias_base"] = len(self.biases)
            self.biases += self._words16(bias, f"{name} bias")
        if lif is not None:
            fields["mem_base"] = self.region("spram", rows[0] * rows[1] * outs)
            fields["theta_base"] = len(self.thetas)
            self.thetas += self._words16(lif.threshold, f"{name} threshold")
            self.lifs.append(lif)
        fields["flags"] = flags
        self.stages.append(TfmStage(name, signal, fields))

    def weight_base(self, weight: np.ndarray) -> int:
        base = len(self.weights)
        self.weights += [int(v) & 0xFF for v in weight.ravel()]
        return base

    def linear(self, name: str, signal: str, layer: FixedAffine, x_base: int, out_base: int, flags: int = 0,
               res_base: int = 0) -> None:
        n_out, n_in = layer.weight.shape
        bias = layer.bias if np.any(layer.bias) else None
        self.stage(name, signal, rows=(self.fixed.tokens, 1), outs=n_out, ins=n_in, flags=flags,
                   x=(x_base, n_in, 0, 0, 1, 1), w=(self.weight_base(layer.weight), 0, 0, n_in, 1, 1),
                   out_base=out_base, res_base=res_base, lif=layer.lif, bias=bias)


def _check_formats(fixed: FixedTransformer) -> None:
    spec = fixed.spec
    if len(fixed.blocks) != 1:
        raise UnsupportedError(f"the transformer engine runs depth-1 models; this one has depth {len(fixed.blocks)}")
    if (spec.weight_bits, spec.state_bits, spec.leak_bits) != (8, 16, 16):
        raise UnsupportedError("the transformer engine needs 8-bit weights, 16-bit membranes and 16-bit leaks")
    if fixed.input_frac_bits > 5:
        raise UnsupportedError(f"input_frac_bits {fixed.input_frac_bits}: the input port carries at most 6-bit pixels")


def _check_sums(fixed: FixedTransformer, steps: int) -> None:
    """Worst-case accumulator and logit magnitudes must fit their registers."""
    att = fixed.blocks[0].attention
    d = fixed.embed.weight.shape[0] // att.heads
    peaks = [("embedding", 2**fixed.input_frac_bits * np.abs(fixed.embed.weight).sum(1).max())]
    for name, layer in (("W_q", att.q), ("W_k", att.k), ("W_v", att.v), ("W_out", att.out),
                        ("fc1", fixed.blocks[0].fc1), ("fc2", fixed.blocks[0].fc2)):
        peaks.append((name, 3 * np.abs(layer.weight).sum(1).max()))
    peaks.append(("attention", fixed.tokens * d * 2 ** (att.attn.frac_bits - att.scale_shift)))
    head = 3 * np.abs(fixed.head_weight).sum(1).max()
    peaks.append(("head", head))
    for name, peak in peaks:
        if peak >= 1 << (ACC_BITS - 1):
            raise UnsupportedError(f"{name}: sums up to {int(peak)} overflow the {ACC_BITS}-bit accumulator")
    if steps * (head + np.abs(fixed.head_bias).max()) >= 1 << (LOGIT_BITS - 1):
        raise UnsupportedError(f"the logits overflow {LOGIT_BITS} bits over {steps} steps")


def transformer_layout(fixed: FixedTransformer) -> TfmLayout:
    """Stage table and memory images of ``fixed`` (depth 1) on the engine."""
    _check_formats(fixed)
    b = _Builder(fixed)
    block, att = fixed.blocks[0], fixed.blocks[0].attention
    L, P, D = fixed.tokens, fixed.token_dim, fixed.embed.weight.shape[0]
    H, hidden, classes = att.heads, block.fc1.weight.shape[0], fixed.head_weight.shape[0]
    d = D // H
    s, q, v, z, r1, h, r2 = (b.region("act", L * n) for n in (D, D, D, D, D, hidden, D))
    pixels = b.region("spram", L * P)
    scores = b.region("spram", L * H * L)
    b.stage("embed", "embed", rows=(L, 1), outs=D, ins=P, x=(pixels, P, 0, 0, 1, 1),
            w=(b.weight_base(fixed.embed.weight), 0, 0, P, 1, 1), out_base=s, lif=fixed.embed.lif,
            bias=fixed.embed.bias, flags=X_SPRAM | SHIFT_IN)
    b.linear("W_q", "q0", att.q, s, q)
    b.linear("W_k", "k0", att.k, s, 0, flags=TO_KEY)
    b.linear("W_v", "v0", att.v, s, v)
    # score[i, h, j] = popcount(Q[i, h] AND K[j, h]): rows (token i, head h), outputs key token j, inputs k
    b.stage("score", "score0", rows=(L, H), outs=L, ins=d, flags=GATE | W_KEY | EPI_SCORE,
            x=(q, D, d, 0, 1, 1), w=(0, 0, d, D, 1, 1), out_base=scores)
    # Z[i, c] = LIF(sum_j V[j, c] ? score[i, c / d, j] : 0): the score address steps once per head
    b.stage("attention", "z0", rows=(L, 1), outs=D, ins=L, flags=GATE | SHIFT_ATT, x=(v, 0, 0, 1, 1, D),
            w=(scores, H * L, 0, L, d, 1), out_base=z, lif=att.attn)
    b.linear("W_out", "r1_0", att.out, z, r1, flags=RESIDUAL, res_base=s)
    b.linear("fc1", "h0", block.fc1, r1, h)
    b.linear("fc2", "r2_0", block.fc2, h, r2, flags=RESIDUAL, res_base=r1)
    b.stage("head", None, rows=(1, 1), outs=classes, ins=L * D, flags=EPI_LOGIT, x=(r2, 0, 0, 0, 1, 1),
            w=(b.weight_base(fixed.head_weight), 0, 0, L * D, 1, 1), bias=fixed.head_bias)
    # thresholds follow the biases in one ROM
    stages = tuple(TfmStage(st.name, st.signal, dict(st.fields, theta_base=st.fields["theta_base"] + len(b.biases)))
                   for st in b.stages)
    return TfmLayout(stages, tuple(b.weights), tuple(b.biases + b.thetas), b.act, L * D, b.spram, pixels,
                     fixed.input_frac_bits + 1, _leak_shift(b.lifs, fixed.spec.leak_bits),
                     att.attn.frac_bits - att.scale_shift)


def _check_address_space(layout: TfmLayout) -> None:
    if layout.spram_words > SPRAM_WORDS:
        raise UnsupportedError(f"{layout.spram_words} membrane, pixel and score words exceed one SPRAM "
                               f"({SPRAM_WORDS} words): use a smaller dim")


def weight_bytes(layout: TfmLayout) -> tuple[int, ...]:
    """The weight stream: every weight as one byte, padded to an even count (two per SPRAM word)."""
    return layout.weights + (0,) * (len(layout.weights) % 2)


def weight_banks(layout: TfmLayout) -> int:
    """SPRAMs holding the weights (each 16384 words of two weights); at least one."""
    return max(1, -(-len(weight_bytes(layout)) // (2 * SPRAM_WORDS)))


def _weight_address_bits(layout: TfmLayout) -> int:
    """Byte address bits of the weight banks: 15 in one bank, plus the bank select."""
    return 15 + (weight_banks(layout) - 1).bit_length()


def weight_load_cycles(layout: TfmLayout) -> int:
    """Clocks of the load after reset: one weight byte per clock (paid once, not per inference)."""
    return len(weight_bytes(layout))


def cycles_per_step(layout: TfmLayout) -> int:
    """Busy clocks of one time step: per stage two setup clocks, then ins + 3 clocks per output."""
    return sum(2 + st.fields["r1"] * st.fields["r2"] * st.fields["outs"] * (st.fields["ins"] + 3)
               for st in layout.stages)


def cycles_per_inference(layout: TfmLayout, steps: int) -> int:
    """Busy clocks from the last input word to the first logit (weight and pixel loads and read-out not
    included)."""
    return steps * cycles_per_step(layout)


def top_level_io_bits(layout: TfmLayout) -> int:
    """clk, rst, in_valid, busy, out_valid + one input word (weight byte or pixel) + one logit."""
    return 5 + INPUT_BITS + LOGIT_BITS


def pixel_words(fixed: FixedTransformer, x: np.ndarray) -> np.ndarray:
    """Features ``(B, L*P)`` in [0, 1] -> the input port's words ``round(x 2^f_in)`` (int64)."""
    x = np.asarray(x, np.float64)
    if x.ndim != 2 or x.shape[1] != fixed.tokens * fixed.token_dim:
        raise InputError(f"expected inputs of shape (samples, {fixed.tokens * fixed.token_dim}), got {x.shape}")
    if x.min() < 0 or x.max() > 1:
        raise InputError("transformer inputs must lie in [0, 1]")
    return np.round(x * 2.0**fixed.input_frac_bits).astype(np.int64)


def _table_words(layout: TfmLayout) -> list[int]:
    """The stage table: one row of ``FIELDS`` per stage, padded with zeros to a power-of-two row length."""
    row = 1 << (len(FIELDS) - 1).bit_length()
    return [w for st in layout.stages for w in [st.fields[name] for name in FIELDS] + [0] * (row - len(FIELDS))]


def emit_transformer(fixed: FixedTransformer, steps: int, inputs: np.ndarray | None = None,
                     manifest_extra: dict | None = None) -> BuildPlan:
    """The engine for ``fixed`` running ``steps`` time steps; the testbench runs one inference per row of
    ``inputs`` (features in [0, 1], default: one blank image). ``manifest_extra`` adds manifest entries."""
    layout = transformer_layout(fixed)
    _check_address_space(layout)
    _check_sums(fixed, steps)
    inputs = np.zeros((1, fixed.tokens * fixed.token_dim)) if inputs is None else inputs
    words = pixel_words(fixed, inputs)
    context = {
        "version": __version__, "top": TFM_TOP, "stages": len(layout.stages), "fields": len(FIELDS),
        "steps": steps, "n_pix": fixed.tokens * fixed.token_dim,
        "pix_base": layout.pixel_base, "in_bits": INPUT_BITS, "classes": fixed.head_weight.shape[0],
        "n_weights": len(layout.weights), "weight_banks": weight_banks(layout),
        "weight_address_bits": _weight_address_bits(layout), "n_weight_bytes": weight_load_cycles(layout), "n_params": len(layout.params), "n_act": layout.act_words,
        "act_bits": ACT_BITS, "n_key": layout.key_words, "acc_bits": ACC_BITS, "logit_bits": LOGIT_BITS,
        "input_shift": fixed.input_frac_bits, "attention_shift": layout.attention_shift, "leak_shift": layout.leak_shift,
        "stages_file": STAGES_FILE, "weights_file": WEIGHTS_FILE, "params_file": PARAMS_FILE,
        "weight_load_cycles": weight_load_cycles(layout),
        "stimulus_file": STIMULUS_FILE, "trace_file": TRACE_FILE, "samples": len(words),
        "cycles_per_inference": cycles_per_inference(layout, steps),
        "stage_names": [st.name for st in layout.stages],
    }
    manifest = {
        "memories": list(TFM_MEMORIES), "top_level_io_bits": top_level_io_bits(layout),
        "host_load": {"file": WEIGHTS_FILE, "words": weight_load_cycles(layout), "bits": INPUT_BITS,
                      "note": "stream these bytes into in_data (one per clock with in_valid) after reset, "
                              "before the first inference's pixels"},
        "steps": steps, "cycles_per_step": cycles_per_step(layout), "weight_load_cycles": weight_load_cycles(layout),
        "cycles_per_inference": cycles_per_inference(layout, steps),
        "stages": [{"name": st.name, **st.fields} for st in layout.stages],
        "memory_words": {"weights": len(layout.weights), "params": len(layout.params), "activations": layout.act_words,
                         "keys": layout.key_words, "spram": layout.spram_words,
                         "weight_spram_banks": weight_banks(layout)},
        "formats": {"input_frac_bits": fixed.input_frac_bits, "embed_frac_bits": fixed.embed.lif.frac_bits,
                    "attention_frac_bits": fixed.blocks[0].attention.attn.frac_bits,
                    "head_frac_bits": fixed.head_frac_bits, "acc_bits": ACC_BITS, "logit_bits": LOGIT_BITS},
        **(manifest_extra or {}),
    }
    files = {
        f"{TFM_TOP}.sv": render_template("transformer", "tfm_top.sv.j2", context),
        **library_files(LIBRARY),
        STAGES_FILE: memory_image(_table_words(layout), 16),
        WEIGHTS_FILE: memory_image(weight_bytes(layout), 8),
        PARAMS_FILE: memory_image(layout.params, 16),
        TESTBENCH: render_template("transformer", "tfm_testbench.sv.j2", context),
        STIMULUS_FILE: memory_image(words.ravel().tolist(), layout.pixel_bits),
    }
    return assemble_plan(TFM_TOP, TFM_SOURCES, files, manifest, TFM_MEMORIES)
