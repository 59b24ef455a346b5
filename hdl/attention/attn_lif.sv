// LIF neurons of the attention variants, tau = 2 as a shift, hard reset to 0, LANES per word,
// membranes (F fractional bits) in block RAM:
//   h = (u + (y << F)) >>> 1   (arithmetic shift: rounds toward minus infinity)
//   s = h >= TH;  u' = s ? 0 : h
// `first` (the first time step) reads the membranes as zero. Read-modify-write over two cycles (attn_membranes);
// a word may arrive every cycle (consecutive words have different addresses).
module attn_lif #(
    parameter int NU = 16,       // membrane words
    parameter int LANES = 1,
    parameter int YB = 8,        // signed input bits
    parameter int AB = 12,       // signed membrane bits
    parameter int F = 4,         // fractional membrane bits
    parameter int TH = 64        // threshold in membrane units (v_th * 2^F)
) (
    input  logic clk,
    input  logic rst,
    input  logic first,
    input  logic in_valid,
    input  logic [$clog2(NU > 1 ? NU : 2) - 1:0] in_addr,
    input  logic [LANES * YB - 1:0] in_y,
    output logic out_valid,
    output logic [$clog2(NU > 1 ? NU : 2) - 1:0] out_addr,
    output logic [LANES * YB - 1:0] out_y,
    output logic [LANES * AB - 1:0] out_u,
    output logic [LANES - 1:0] out_spikes
);
    localparam int UW = $clog2(NU > 1 ? NU : 2);

    logic update;
    logic [LANES * AB - 1:0] u_word, u_next;
    logic [LANES * YB - 1:0] y;
    logic [LANES - 1:0] fire;

    attn_membranes #(.NU(NU), .LANES(LANES), .YB(YB), .AB(AB), .UW(UW)) membranes (
        .clk(clk), .rst(rst), .in_valid(in_valid), .in_addr(in_addr), .in_y(in_y), .update(update), .u_word(u_word),
        .y(y), .u_next(u_next), .fire(fire), .out_valid(out_valid), .out_addr(out_addr), .out_u(out_u),
        .out_spikes(out_spikes)
    );

    always_ff @(posedge clk) if (update) out_y <= y;

    genvar l;
    generate
        for (l = 0; l < LANES; l++) begin : lane
            logic signed [AB - 1:0] u_l, h;
            logic signed [AB:0] u_ext, y_ext, sum;
            logic signed [YB - 1:0] y_l;
            assign y_l = y[l * YB +: YB];
            assign u_l = first ? '0 : u_word[l * AB +: AB];
            assign u_ext = u_l;  // sign-extending assignments
            assign y_ext = y_l;
            assign sum = u_ext + (y_ext <<< F);
            assign h = AB'(sum >>> 1);
            assign fire[l] = h >= $signed(AB'(TH));
            assign u_next[l * AB +: AB] = fire[l] ? '0 : h;
        end
    endgenerate
endmodule
