"""SystemVerilog for the spiky state-space layer: a thin generated top over hdl/ssm/ssm_layer.sv.

`emit_ssm(spec, fixed)` returns a deterministic BuildPlan: the streaming top, the hand-written layer, the memory
images of a, B and C (lane-packed words, read by $readmemh into block RAM), a testbench with its
stimulus (the fixed twin's quantised input) and a manifest.
"""

from __future__ import annotations


import numpy as np

from sc_neurocore import __version__
from sc_neurocore.errors import InputError
from sc_neurocore.sim.twins.ssm import DECAY_BITS, FixedSsm, quantise_ssm
from sc_neurocore.transformers.spec import SsmSpec

from sc_neurocore.backends.build.plan import BuildPlan, TESTBENCH, TRACE_FILE, assemble_plan
from sc_neurocore.backends.build.templates import library_files, memory_image, render_template

__all__ = [
    "SSM_TOP", "SSM_SOURCES", "SSM_MEMORIES", "STIMULUS_FILE",
    "emit_ssm", "cycles_per_step", "top_level_io_bits", "lane_words",
]

SSM_TOP = "ssm_top"
SSM_SOURCES = (f"{SSM_TOP}.sv", "ssm_layer.sv")
A_FILE, B_FILE, C_FILE = "ssm_a.mem", "ssm_b.mem", "ssm_c.mem"
SSM_MEMORIES = (A_FILE, B_FILE, C_FILE)
STIMULUS_FILE = "ssm_stimulus.mem"


def cycles_per_step(spec: SsmSpec) -> int:
    """Busy cycles of one time step: update rows of d_model + 3 cycles, readout rows of d_state + 2."""
    lanes = spec.lanes
    return spec.d_state // lanes * (spec.d_model + 3) + spec.d_model // lanes * (spec.d_state + 2)


def top_level_io_bits(spec: SsmSpec) -> int:
    """clk, rst, in_valid, busy, out_valid + one input word + one output spike per lane."""
    return 5 + spec.in_bits + spec.lanes


def lane_words(matrix: np.ndarray, lanes: int, bits: int) -> list[int]:
    """Rows of `matrix` ``[R, K]`` packed ``lanes`` at a time: word ``r' * K + k`` holds
    ``matrix[r' * lanes + l, k]`` (two's complement) in bits ``l * bits``."""
    rows, cols = matrix.shape
    grouped = (np.asarray(matrix, dtype=object) & ((1 << bits) - 1)).reshape(rows // lanes, lanes, cols)
    shifts = np.array([1 << (l * bits) for l in range(lanes)], dtype=object)
    return [int(w) for w in np.einsum("rlk,l->rk", grouped, shifts).ravel()]


def emit_ssm(spec: SsmSpec, fixed: FixedSsm | None = None) -> BuildPlan:
    """The design of `spec`; the testbench replays `fixed`'s input (default: the seed input's twin)."""
    fixed = quantise_ssm(spec) if fixed is None else fixed
    f = fixed.formats
    if f.theta >= 1 << 31:
        raise InputError(f"gate threshold {f.theta} needs more than 32 bits: lower threshold or weight_bits")
    lanes, steps = spec.lanes, fixed.x_int.shape[0]
    context = {
        "version": __version__, "block": spec.block, "top": SSM_TOP, "d_model": spec.d_model,
        "d_state": spec.d_state, "lanes": lanes, "steps": steps, "in_bits": spec.in_bits,
        "weight_bits": spec.weight_bits, "state_bits": spec.state_bits, "acc_bits": f.acc_bits,
        "v_bits": f.v_bits, "su": f.su, "theta": f.theta, "fx": f.fx, "fb": f.fb, "fc": f.fc, "fh": f.fh,
        "a_file": A_FILE, "b_file": B_FILE, "c_file": C_FILE, "cycles_per_step": cycles_per_step(spec),
        "stimulus_file": STIMULUS_FILE, "trace_file": TRACE_FILE,
    }
    manifest = {
        "block": spec.block,
        "spec": {**spec.__dict__},
        "memories": list(SSM_MEMORIES),
        "top_level_io_bits": top_level_io_bits(spec),
        "formats": {**f.__dict__, "decay_bits": DECAY_BITS},
        "cycles_per_step": cycles_per_step(spec),
    }
    width = spec.weight_bits * lanes
    files = {
        f"{SSM_TOP}.sv": render_template("ssm", "ssm_top.sv.j2", context),
        **library_files(("ssm_layer.sv",)),
        A_FILE: memory_image(lane_words(fixed.a_int[:, None], lanes, DECAY_BITS), DECAY_BITS * lanes),
        B_FILE: memory_image(lane_words(fixed.b_int, lanes, spec.weight_bits), width),
        C_FILE: memory_image(lane_words(fixed.c_int, lanes, spec.weight_bits), width),
        TESTBENCH: render_template("ssm", "ssm_testbench.sv.j2", context),
        STIMULUS_FILE: memory_image(fixed.x_int.ravel(), spec.in_bits),
    }
    return assemble_plan(SSM_TOP, SSM_SOURCES, files, manifest, SSM_MEMORIES)
