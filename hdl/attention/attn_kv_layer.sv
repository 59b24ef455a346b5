// Linear-order attention layer (Spikformer SSA, A²OS²A): attn_kv_core -> attn_lif, membranes in EBR.
// Per time step the host writes Q, K (and V+, V-) through the load port while `busy` is low, then
// pulses `start` with `first` high on the first step of a sequence (membranes read as zero).
// Output: per (head, token, chunk) one word of LANES LIF inputs y, membranes after reset and spikes;
// `done` follows the last word.
module attn_kv_layer #(
    parameter int N = 8,
    parameter int H = 2,
    parameter int DH = 8,
    parameter int LANES = 1,
    parameter int KB = 1,
    parameter int TERNARY = 0,
    parameter int KVB = 5,
    parameter int YB = 8,
    parameter int AB = 12,
    parameter int F = 4,
    parameter int TH = 64
) (
    input  logic clk,
    input  logic rst,
    input  logic wr_en,
    input  logic [1:0] wr_sel,
    input  logic [$clog2(H * N * DH > 1 ? H * N * DH : 2) - 1:0] wr_addr,
    input  logic [(DH > KB ? DH : KB) - 1:0] wr_data,
    input  logic start,
    input  logic first,
    output logic busy,
    output logic done,
    output logic out_valid,
    output logic [$clog2(H * N * (DH / LANES) > 1 ? H * N * (DH / LANES) : 2) - 1:0] out_addr,
    output logic [LANES * YB - 1:0] out_y,
    output logic [LANES * AB - 1:0] out_u,
    output logic [LANES - 1:0] out_spikes
);
    localparam int NU = H * N * (DH / LANES);
    localparam int YW = $clog2(NU > 1 ? NU : 2);

    logic core_busy, core_done, y_valid, first_r;
    logic [1:0] draining;  // the neurons finish two cycles after the core's last word
    logic [YW - 1:0] y_addr;
    logic [LANES * YB - 1:0] y_data;

    always_ff @(posedge clk) begin
        if (start) first_r <= first;
        draining <= rst ? 2'b0 : {draining[0], core_done};
    end
    assign busy = core_busy || core_done || draining != 2'b0;  // no gap: the core's `done` follows its busy
    assign done = draining[1];

    attn_kv_core #(
        .N(N), .H(H), .DH(DH), .LANES(LANES), .KB(KB), .TERNARY(TERNARY), .KVB(KVB), .YB(YB)
    ) core (
        .clk(clk), .rst(rst), .wr_en(wr_en), .wr_sel(wr_sel), .wr_addr(wr_addr), .wr_data(wr_data),
        .start(start), .busy(core_busy), .done(core_done), .y_valid(y_valid), .y_addr(y_addr), .y_data(y_data)
    );

    attn_lif #(.NU(NU), .LANES(LANES), .YB(YB), .AB(AB), .F(F), .TH(TH)) neurons (
        .clk(clk), .rst(rst), .first(first_r), .in_valid(y_valid), .in_addr(y_addr), .in_y(y_data),
        .out_valid(out_valid), .out_addr(out_addr), .out_y(out_y), .out_u(out_u), .out_spikes(out_spikes)
    );
endmodule
