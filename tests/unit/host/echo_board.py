"""A board top around the echo fixture (fixtures/stream_echo.sv), as a build would write it."""

from pathlib import Path

from sc_neurocore.backends.board.top import board_files

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "stream_echo.sv"


def echo(word: int, out_bits: int) -> int:
    """The fixture's transform of one input word: its integer twin."""
    return (word * 5 + 3) % (1 << out_bits)


def echo_stream_module(in_bits: int, out_bits: int, name: str = "echo_stream") -> str:
    """`<top>_stream` of a build: fixed widths, the ports of docs/host_link.md §1."""
    return f"""module {name} (
    input  logic clk, rst, in_valid, output logic in_ready, input logic [{in_bits - 1}:0] in_data,
    output logic out_valid, input logic out_ready, output logic [{out_bits - 1}:0] out_data,
    output logic [15:0] status
);
    stream_echo #(.IN_BITS({in_bits}), .OUT_BITS({out_bits})) u_echo (
        .clk(clk), .rst(rst), .in_valid(in_valid), .in_ready(in_ready), .in_data(in_data),
        .out_valid(out_valid), .out_ready(out_ready), .out_data(out_data), .status(status));
endmodule
"""


def echo_board(in_bits: int, out_bits: int, build_id: bytes, max_payload: int = 256, clks_per_bit: int = 4,
               pll=None, timeout_bits: int = 65536) -> dict[str, str]:
    """Every source of `sc_board_top` around the echo fixture, by file name."""
    files = board_files("echo_stream", in_bits, out_bits, clks_per_bit, max_payload, build_id, pll,
                        timeout_bits=timeout_bits)
    files["stream_echo.sv"] = FIXTURE.read_text(encoding="utf-8")
    files["echo_stream.sv"] = echo_stream_module(in_bits, out_bits)
    return files
