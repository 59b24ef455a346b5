// One address generator of the token-wise layer engine: addr = base + r1*A_R1 + r2*A_R2 + (o/G_O)*A_O + j*A_J
// over the loop nest (r1, r2, o, j), kept as running sums so that no multiplier is needed.
//
// Exactly one of start / next_j / next_o / next_r2 / next_r1 is high in a cycle: `start` loads the base, the
// others say which loop counter advances (the inner counters restart at 0). The output dimension steps by
// A_O only every G_O outputs, which lets the attention stage address the score of head o / head_dim.
module tfm_pointer #(
    parameter int AW = 14
) (
    input  logic          clk,
    input  logic          start,
    input  logic          next_j,
    input  logic          next_o,
    input  logic          next_r2,
    input  logic          next_r1,
    input  logic [AW-1:0] base,
    input  logic [AW-1:0] a_r1,
    input  logic [AW-1:0] a_r2,
    input  logic [AW-1:0] a_o,
    input  logic [AW-1:0] g_o,
    input  logic [AW-1:0] a_j,
    output logic [AW-1:0] addr
);
    logic [AW-1:0] p_r1, p_r2, p_o, group;
    logic [AW-1:0] o_step;

    assign o_step = (group == g_o - 1'b1) ? a_o : '0;

    always_ff @(posedge clk) begin
        if (start) begin
            p_r1 <= base;
            p_r2 <= base;
            p_o <= base;
            addr <= base;
            group <= '0;
        end else if (next_j) begin
            addr <= addr + a_j;
        end else if (next_o) begin
            p_o <= p_o + o_step;
            addr <= p_o + o_step;
            group <= (group == g_o - 1'b1) ? '0 : group + 1'b1;
        end else if (next_r2) begin
            p_r2 <= p_r2 + a_r2;
            p_o <= p_r2 + a_r2;
            addr <= p_r2 + a_r2;
            group <= '0;
        end else if (next_r1) begin
            p_r1 <= p_r1 + a_r1;
            p_r2 <= p_r1 + a_r1;
            p_o <= p_r1 + a_r1;
            addr <= p_r1 + a_r1;
            group <= '0;
        end
    end
endmodule
