// sc_apc: parallel counter over INPUTS streams with a cycle accumulator, the RTL twin of
// sc_neurocore.bitstream.apc_count (EXACT = 0) and parallel_count (EXACT = 1).
//
// EXACT = 0, approximate parallel counter: inputs are taken in groups of four (a, b, c, d) =
// bits[4g +: 4] (a = bits[4g]); each group counts 2 ((a | b) + (c & d)) instead of a + b + c + d, which
// is unbiased when all four have the same probability and replaces the first adder layer by one OR and
// one AND. The INPUTS mod 4 remaining bits (the highest indices) are counted exactly. The per-cycle
// `count` summed over the N cycles of a stream is exactly the library's apc_count total.
// EXACT = 1: `count` is the exact number of ones (sc_popcount), the library's parallel_count per cycle.
//
// `total` accumulates `count`: synchronous active-high `rst` clears it, each edge with `en` = 1 adds the
// current `count` (modulo 2^TW; size TW for N * INPUTS).
module sc_apc #(
    parameter int INPUTS = 16,
    parameter bit EXACT  = 1'b0,
    parameter int TW     = 16,
    localparam int CW = $clog2(INPUTS + 1),
    localparam int GROUPS = INPUTS / 4
) (
    input  logic              clk,
    input  logic              rst,
    input  logic              en,
    input  logic [INPUTS-1:0] bits,
    output logic [CW-1:0]     count,
    output logic [TW-1:0]     total
);
    // Half the approximate count: sum over groups of (a | b) + (c & d), at most 2 GROUPS.
    function automatic logic [CW-1:0] half_count(input logic [INPUTS-1:0] word);
        half_count = '0;
        for (int g = 0; g < GROUPS; g++)
            half_count = half_count + CW'(word[4*g] | word[4*g+1]) + CW'(word[4*g+2] & word[4*g+3]);
    endfunction

    // The INPUTS mod 4 bits after the last group, counted exactly.
    function automatic logic [CW-1:0] rest_count(input logic [INPUTS-1:0] word);
        rest_count = '0;
        for (int i = 4 * GROUPS; i < INPUTS; i++) rest_count = rest_count + CW'(word[i]);
    endfunction

    generate
        if (EXACT || GROUPS == 0) begin : g_exact
            sc_popcount #(.LANES(INPUTS)) u_count (.bits(bits), .count(count));
        end else begin : g_approximate
            assign count = (half_count(bits) << 1) + rest_count(bits);
        end
    endgenerate

    always_ff @(posedge clk) begin
        if (rst) total <= '0;
        else if (en) total <= total + TW'(count);
    end
endmodule
