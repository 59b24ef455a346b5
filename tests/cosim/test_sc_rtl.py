"""Co-simulation: hdl/sc/sc_lfsr.sv + hdl/sc/sc_sng.sv under Icarus against sc_neurocore.bitstream, bit for bit."""

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from sc_neurocore.bitstream import (
    allocate_streams,
    comparator_bits,
    comparator_words,
    lfsr_spec,
    lfsr_states,
    lfsr_threshold,
    primitive_masks,
)

pytestmark = pytest.mark.cosim

HDL = Path(__file__).resolve().parents[2] / "hdl" / "sc"
CYCLES = 300


def _iverilog() -> tuple[str, str]:
    found = shutil.which("iverilog"), shutil.which("vvp")
    if None in found:
        message = "Icarus Verilog (iverilog, vvp) is not on PATH; Debian: apt-get install iverilog"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def _configs():
    """(LfsrSpec, rotation, reverse, probability): widths 4..32, both forms, strides, allocator views."""
    configs = [
        (lfsr_spec(4, seed=1, form="galois"), 0, False, 0.5),
        (lfsr_spec(5, seed=9, form="galois", taps=primitive_masks(5, 2)[1], stride=3), 2, True, 0.0),
        (lfsr_spec(16, seed=0xACE1, form="fibonacci"), 3, True, 0.3),
        (lfsr_spec(24, seed=0x5A5A5A, form="fibonacci", stride=8), 0, True, 0.9),
        (lfsr_spec(32, seed=0xDEADBEEF, form="galois", stride=4), 16, False, 0.7),
        (lfsr_spec(12, seed=0xFFF, form="galois"), 11, False, 1.0),
    ]
    allocation = allocate_streams(4, width=10, views_per_generator=4, seed=7, form="fibonacci")
    for view, p in zip(allocation.streams, (0.1, 0.4, 0.6, 0.95)):
        configs.append((allocation.generators[view.generator], view.rotation, view.reverse, p))
    return configs


def _testbench(configs) -> str:
    lines = [
        "`timescale 1ns/1ps",
        "module tb;",
        "    logic clk = 1'b0;",
        "    logic rst = 1'b1;",
        "    logic en = 1'b0;",
        "    always #5 clk = ~clk;",
    ]
    prints = []
    for index, (spec, rotation, reverse, p) in enumerate(configs):
        width = spec.width
        threshold = int(lfsr_threshold(p, width))
        lines += [
            f"    logic [{width - 1}:0] state_{index};",
            f"    logic bit_{index};",
            f"    sc_lfsr #(.WIDTH({width}), .TAPS(32'h{spec.taps:08x}), .SEED(32'h{spec.seed:08x}),"
            f" .GALOIS({int(spec.form == 'galois')}), .STRIDE({spec.stride}))"
            f" u_lfsr_{index} (.clk(clk), .rst(rst), .en(en), .state(state_{index}));",
            f"    sc_sng #(.WIDTH({width}), .ROTATE({rotation}), .REVERSE({int(reverse)}))"
            f" u_sng_{index} (.state(state_{index}), .threshold({width}'d{threshold}), .bit_out(bit_{index}));",
        ]
        prints.append(f'            $display("{index} %0d %h %0d", k, state_{index}, bit_{index});')
    lines += [
        "    initial begin",
        "        @(posedge clk);",
        "        rst <= 1'b0;",
        "        en <= 1'b1;",
        f"        for (int k = 0; k < {CYCLES}; k++) begin",
        "            @(negedge clk);",
        *prints,
        "        end",
        "        $finish;",
        "    end",
        "endmodule",
    ]
    return "\n".join(lines) + "\n"


def _python_trace(spec, rotation, reverse, p):
    states = lfsr_states(spec, CYCLES)
    words = comparator_words(states, spec.width, rotation, reverse)
    bits = comparator_bits(words, lfsr_threshold(p, spec.width))
    return states, bits


def test_lfsr_and_sng_match_python_bit_for_bit(tmp_path):
    iverilog, vvp = _iverilog()
    configs = _configs()
    (tmp_path / "tb.sv").write_text(_testbench(configs))
    sources = ["tb.sv", str(HDL / "sc_lfsr.sv"), str(HDL / "sc_sng.sv")]
    compiled = subprocess.run(
        [iverilog, "-g2012", "-o", "tb.vvp", *sources], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert compiled.returncode == 0, compiled.stderr
    run = subprocess.run([vvp, "-n", "tb.vvp"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    rtl_states = np.zeros((len(configs), CYCLES), dtype=np.uint64)
    rtl_bits = np.zeros((len(configs), CYCLES), dtype=bool)
    seen = 0
    for line in run.stdout.splitlines():
        fields = line.split()
        if len(fields) != 4 or not fields[0].isdigit():
            continue
        index, cycle = int(fields[0]), int(fields[1])
        rtl_states[index, cycle] = int(fields[2], 16)
        rtl_bits[index, cycle] = fields[3] == "1"
        seen += 1
    assert seen == len(configs) * CYCLES, run.stdout[-2000:]
    mismatches = []
    for index, config in enumerate(configs):
        states, bits = _python_trace(*config)
        bad = np.flatnonzero((states != rtl_states[index]) | (bits != rtl_bits[index]))
        if bad.size:
            mismatches.append(f"config {index} {config}: {bad.size} mismatches, first at cycle {bad[0]}")
    assert not mismatches, "\n".join(mismatches)
    # The comparator streams are not trivially constant except where p is 0 or 1.
    assert rtl_bits[2].any() and not rtl_bits[2].all()
