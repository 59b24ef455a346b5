// Output integrate-and-fire neurons of the attention core, LANES per word, membranes in block RAM:
// u += y; s = u >= TH; u -= s * TH. `first` (the first time step) reads the membranes as zero.
// Read-modify-write over two cycles; words arrive at most every other cycle.
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
    logic [LANES * AB - 1:0] umem [0:NU - 1];
    logic [LANES * AB - 1:0] u_word, u_next;
    logic [LANES * YB - 1:0] y_r;
    logic [$clog2(NU) - 1:0] addr_r;
    logic pending;
    logic [LANES - 1:0] fire;

    always_ff @(posedge clk) if (in_valid) u_word <= umem[in_addr];
    always_ff @(posedge clk) if (pending) umem[addr_r] <= u_next;

    genvar l;
    generate
        for (l = 0; l < LANES; l++) begin : lane
            logic signed [AB - 1:0] u_old, u_sum;
            logic signed [YB - 1:0] y_l;
            assign y_l = y_r[l * YB +: YB];
            assign u_old = first ? '0 : u_word[l * AB +: AB];
            assign u_sum = u_old + y_l;  // signed + signed: y_l is sign-extended
            assign fire[l] = u_sum >= $signed(AB'(TH));
            assign u_next[l * AB +: AB] = fire[l] ? u_sum - AB'(TH) : u_sum;
        end
    endgenerate

    always_ff @(posedge clk) begin
        if (in_valid) begin
            y_r <= in_y;
            addr_r <= in_addr;
        end
        if (pending) begin
            out_addr <= addr_r;
            out_u <= u_next;
            out_spikes <= fire;
        end
        pending <= in_valid && !rst;
        out_valid <= pending && !rst;
    end
endmodule
