// Output integrate-and-fire neurons of the attention core, LANES per word, membranes in block RAM:
// u += y; s = u >= TH; u -= s * TH. `first` (the first time step) reads the membranes as zero.
// Read-modify-write over two cycles (attn_membranes); words arrive at most every other cycle.
module attn_neurons #(
    parameter int NU = 2048,     // membrane words (H * N * DH / LANES)
    parameter int LANES = 1,
    parameter int YB = 11,
    parameter int AB = 13,
    parameter int TH = 16
) (
    input  logic clk,
    input  logic rst,
    input  logic first,
    input  logic in_valid,
    input  logic [$clog2(NU) - 1:0] in_addr,
    input  logic [LANES * YB - 1:0] in_y,
    output logic out_valid,
    output logic [$clog2(NU) - 1:0] out_addr,
    output logic [LANES * AB - 1:0] out_u,
    output logic [LANES - 1:0] out_spikes
);
    logic update;
    logic [LANES * AB - 1:0] u_word, u_next;
    logic [LANES * YB - 1:0] y;
    logic [LANES - 1:0] fire;

    attn_membranes #(.NU(NU), .LANES(LANES), .YB(YB), .AB(AB), .UW($clog2(NU))) membranes (
        .clk(clk), .rst(rst), .in_valid(in_valid), .in_addr(in_addr), .in_y(in_y), .update(update), .u_word(u_word),
        .y(y), .u_next(u_next), .fire(fire), .out_valid(out_valid), .out_addr(out_addr), .out_u(out_u),
        .out_spikes(out_spikes)
    );

    genvar l;
    generate
        for (l = 0; l < LANES; l++) begin : lane
            logic signed [AB - 1:0] u_l, u_sum;
            logic signed [YB - 1:0] y_l;
            assign y_l = y[l * YB +: YB];
            assign u_l = first ? '0 : u_word[l * AB +: AB];
            assign u_sum = u_l + y_l;  // signed + signed: y_l is sign-extended
            assign fire[l] = u_sum >= $signed(AB'(TH));
            assign u_next[l * AB +: AB] = fire[l] ? u_sum - AB'(TH) : u_sum;
        end
    endgenerate
endmodule
