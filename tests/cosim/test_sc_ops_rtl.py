"""Co-simulation: hdl/sc/sc_gate_array.sv, sc_mux_add.sv and sc_apc.sv under Icarus against
sc_neurocore.bitstream.ops (sc_and, sc_xnor, mux_add, apc_count, parallel_count), bit for bit.

The input streams come from the library's allocator; the testbench reads one input vector per cycle
from a $readmemb file (bit i = stream i at that cycle) and writes a text trace.
"""

from pathlib import Path

import numpy as np
import pytest

from sc_neurocore.backends.flow.toolrun import run_tool
from sc_neurocore.bitstream import (
    Bitstreams,
    allocate_streams,
    apc_count,
    decode_bipolar,
    mux_add,
    pack,
    parallel_count,
    popcount,
    sc_and,
    sc_xnor,
    unpack,
)

pytestmark = pytest.mark.cosim

HDL = Path(__file__).resolve().parents[2] / "hdl" / "sc"


def _streams(count: int, length: int, seed: int, *, bipolar: bool = False, **allocation) -> tuple:
    """`count` allocator streams of `length` bits with seeded random values: (Bitstreams (count,), values)."""
    values = np.random.default_rng(seed).uniform(-1.0 if bipolar else 0.0, 1.0, count)
    streams = allocate_streams(count, seed=seed, **allocation).encode(values, length, bipolar=bipolar)
    return streams, values


def _write_stimulus(path: Path, vectors: np.ndarray) -> None:
    """One line per cycle of a (N, W) bool array; column i is bit i of the vector."""
    lines = ["".join("1" if bit else "0" for bit in row[::-1]) for row in vectors]
    path.write_text("\n".join(lines) + "\n")


def _simulate(tmp_path: Path, testbench: str, sources: list[str]) -> list[str]:
    (tmp_path / "tb.sv").write_text(testbench)
    log = tmp_path / "sim.log"
    run_tool("iverilog", ["iverilog", "-g2012", "-o", "tb.vvp", "tb.sv", *(str(HDL / s) for s in sources)],
             tmp_path, tmp_path / "iverilog.log", 120)
    run_tool("vvp", ["vvp", "-n", "tb.vvp"], tmp_path, log, 120)
    return (tmp_path / "trace.txt").read_text().split("\n")[:-1]


def _combinational_tb(instance: str, width: int, length: int) -> str:
    """Drive `stim` (width bits per cycle) into `instance`, print output `y` in binary per cycle."""
    return "\n".join([
        "`timescale 1ns/1ps",
        "module tb;",
        f"    logic [{width - 1}:0] stim [0:{length - 1}];",
        f"    logic [{width - 1}:0] vector;",
        "    integer f;",
        instance,
        "    initial begin",
        '        $readmemb("stim.mem", stim);',
        '        f = $fopen("trace.txt", "w");',
        f"        for (int k = 0; k < {length}; k++) begin",
        "            vector = stim[k];",
        "            #1;",
        '            $fdisplay(f, "%b", y);',
        "        end",
        "        $fclose(f);",
        "        $finish;",
        "    end",
        "endmodule",
    ]) + "\n"


def _bits_from_trace(lines: list[str], lanes: int, length: int) -> np.ndarray:
    """Trace lines of `lanes`-bit binary words (MSB first) -> bool (lanes, length)."""
    assert len(lines) == length, lines[-5:]
    assert all(len(line) == lanes and set(line) <= {"0", "1"} for line in lines), lines[:5]
    return np.array([[c == "1" for c in line[::-1]] for line in lines], dtype=bool).T


# (lanes, xnor, length, allocation): AND and XNOR, 1..32 lanes, lengths around and across 64-bit words.
GATES = [
    (1, 0, 100, dict(width=8)),
    (8, 0, 256, dict(width=16, form="fibonacci")),
    (13, 1, 300, dict(width=12, views_per_generator=4)),
    (32, 1, 1000, dict(width=16, views_per_generator=2)),
]


@pytest.mark.parametrize(("lanes", "xnor", "length", "allocation"), GATES)
def test_gate_array_matches_sc_and_and_sc_xnor(tmp_path, icarus, lanes, xnor, length, allocation):
    streams, values = _streams(2 * lanes, length, seed=lanes + 10 * xnor, bipolar=bool(xnor), **allocation)
    a, b = streams[:lanes], streams[lanes:]
    _write_stimulus(tmp_path / "stim.mem", unpack(streams).T)
    instance = (
        f"    logic [{lanes - 1}:0] y;\n"
        f"    sc_gate_array #(.LANES({lanes}), .XNOR({xnor})) dut"
        f" (.a(vector[{lanes - 1}:0]), .b(vector[{2 * lanes - 1}:{lanes}]), .y(y));"
    )
    lines = _simulate(tmp_path, _combinational_tb(instance, 2 * lanes, length), ["sc_gate_array.sv"])
    rtl = _bits_from_trace(lines, lanes, length)
    expected = sc_xnor(a, b) if xnor else sc_and(a, b)
    mismatches = np.flatnonzero((rtl != unpack(expected)).any(axis=0))
    assert mismatches.size == 0, f"{mismatches.size} mismatching cycles, first {mismatches[0]}"
    if xnor:
        # The bipolar product: the RTL stream decodes to the library's value, close to x_a x_b.
        decoded = decode_bipolar(pack(rtl))
        np.testing.assert_array_equal(decoded, decode_bipolar(expected))
        product = values[:lanes] * values[lanes:]
        assert np.max(np.abs(decoded - product)) < 5 / np.sqrt(length)


# (lanes, inputs, length, allocation): power-of-two and ragged input counts, one to three lanes.
MUXES = [
    (1, 2, 200, dict(width=10)),
    (3, 5, 256, dict(width=16, views_per_generator=4)),
    (2, 8, 500, dict(width=16, form="fibonacci")),
]


@pytest.mark.parametrize(("lanes", "inputs", "length", "allocation"), MUXES)
def test_mux_add_matches_library(tmp_path, icarus, lanes, inputs, length, allocation):
    flat, _ = _streams(lanes * inputs, length, seed=inputs, **allocation)
    streams = Bitstreams(flat.words.reshape(lanes, inputs, -1), length)
    select = np.random.default_rng(inputs + 100).integers(0, inputs, (lanes, length))
    sw = max(1, int(np.ceil(np.log2(inputs))))
    select_bits = (select[..., None] >> np.arange(sw)) & 1  # (lanes, N, SW), LSB first
    vectors = np.concatenate([unpack(flat).T, select_bits.transpose(1, 0, 2).reshape(length, lanes * sw)], axis=1)
    _write_stimulus(tmp_path / "stim.mem", vectors.astype(bool))
    width = lanes * inputs
    instance = (
        f"    logic [{lanes - 1}:0] y;\n"
        f"    sc_mux_add #(.LANES({lanes}), .INPUTS({inputs})) dut"
        f" (.streams(vector[{width - 1}:0]), .select(vector[{width + lanes * sw - 1}:{width}]), .y(y));"
    )
    lines = _simulate(tmp_path, _combinational_tb(instance, width + lanes * sw, length), ["sc_mux_add.sv"])
    rtl = _bits_from_trace(lines, lanes, length)
    expected = unpack(mux_add(streams, select))
    mismatches = np.flatnonzero((rtl != expected).any(axis=0))
    assert mismatches.size == 0, f"{mismatches.size} mismatching cycles, first {mismatches[0]}"


def _apc_tb(inputs: int, exact: int, total_width: int, length: int) -> str:
    return "\n".join([
        "`timescale 1ns/1ps",
        "module tb;",
        f"    logic [{inputs - 1}:0] stim [0:{length - 1}];",
        "    logic clk = 1'b0, rst = 1'b1, en = 1'b0;",
        f"    logic [{inputs - 1}:0] bits = '0;",
        f"    logic [{max(1, int(np.ceil(np.log2(inputs + 1)))) - 1}:0] count;",
        f"    logic [{total_width - 1}:0] total;",
        "    integer f;",
        "    always #5 clk = ~clk;",
        f"    sc_apc #(.INPUTS({inputs}), .EXACT({exact}), .TW({total_width})) dut"
        " (.clk(clk), .rst(rst), .en(en), .bits(bits), .count(count), .total(total));",
        "    initial begin",
        '        $readmemb("stim.mem", stim);',
        '        f = $fopen("trace.txt", "w");',
        "        @(posedge clk);",
        "        #1 rst = 1'b0;",
        "        en = 1'b1;",
        f"        for (int k = 0; k < {length}; k++) begin",
        "            bits = stim[k];",
        "            #1;",
        '            $fdisplay(f, "%0d", count);',
        "            @(posedge clk);",
        "            #1;",
        "        end",
        "        en = 1'b0;",
        '        $fdisplay(f, "T %0d", total);',
        "        $fclose(f);",
        "        $finish;",
        "    end",
        "endmodule",
    ]) + "\n"


# (inputs, exact, length, allocation): fewer than one group, whole groups and a remainder, exact mode.
APCS = [
    (3, 0, 100, dict(width=8)),
    (4, 0, 200, dict(width=12)),
    (13, 0, 300, dict(width=16, views_per_generator=4)),
    (32, 0, 1000, dict(width=16, form="fibonacci")),
    (7, 1, 150, dict(width=10)),
    (16, 1, 256, dict(width=16, views_per_generator=2)),
]


@pytest.mark.parametrize(("inputs", "exact", "length", "allocation"), APCS)
def test_apc_matches_apc_count_and_parallel_count(tmp_path, icarus, inputs, exact, length, allocation):
    streams, values = _streams(inputs, length, seed=inputs + exact, **allocation)
    bits = unpack(streams)  # (inputs, N)
    _write_stimulus(tmp_path / "stim.mem", bits.T)
    total_width = int(np.ceil(np.log2(inputs * length + 1)))
    lines = _simulate(tmp_path, _apc_tb(inputs, exact, total_width, length), ["sc_apc.sv", "sc_popcount.sv"])
    assert len(lines) == length + 1 and lines[-1].startswith("T "), lines[-3:]
    rtl_counts = np.array([int(line) for line in lines[:-1]])
    rtl_total = int(lines[-1].split()[1])
    if exact:
        expected_counts = parallel_count(streams)
        expected_total = int(popcount(streams).sum())
    else:
        groups = inputs // 4
        quads = bits[: 4 * groups].reshape(groups, 4, length)
        expected_counts = 2 * ((quads[:, 0] | quads[:, 1]).sum(axis=0) + (quads[:, 2] & quads[:, 3]).sum(axis=0))
        expected_counts = expected_counts + bits[4 * groups:].sum(axis=0)
        expected_total = int(apc_count(streams))
        # The library's APC total is the sum of the per-cycle counts above.
        assert int(expected_counts.sum()) == expected_total
    mismatches = np.flatnonzero(rtl_counts != expected_counts)
    assert mismatches.size == 0, f"{mismatches.size} mismatching cycles, first {mismatches[0]}"
    assert rtl_total == expected_total
    # The counts are not degenerate: the streams carry a mix of ones and zeros.
    assert 0 < rtl_total < inputs * length
    assert abs(rtl_total / length - values.sum()) < 0.25 * inputs
