// Spike-driven attention layer with its projections on chip: x in, output spikes out.
// Host port (words of IB bits, taken while `busy` is low): after reset the weights once
// (see attn_qkv), then per inference the input x_q (N * D words). attn_qkv computes the drives and
// writes the Q, K, |V| and sign spike words of all T steps into attn_core's block RAM; then attn_core
// and attn_neurons run the T time steps. Output: one word of LANES spikes per (head, query, chunk) and
// step, in that order. Every inference starts with fresh output membranes.
module attn_full_layer #(
    parameter int N = 32,
    parameter int H = 4,
    parameter int DH = 16,
    parameter int LANES = 1,
    parameter int T = 8,
    parameter int XB = 8,
    parameter int WB = 8,
    parameter int IB = 8,
    parameter int DB = 21,
    parameter int VB = 24,
    parameter int THQ = 1,
    parameter int THK = 1,
    parameter int THV = 1,
    parameter int PB = 5,
    parameter int YB = 11,
    parameter int AB = 13,
    parameter int TH = 16
) (
    input  logic clk,
    input  logic rst,
    input  logic in_valid,
    input  logic [IB - 1:0] in_data,
    output logic busy,
    output logic out_valid,
    output logic [LANES - 1:0] out_spikes
);
    localparam int HN = H * N;
    localparam int NU = HN * (DH / LANES);
    localparam int TW = T > 1 ? $clog2(T) : 1;

    logic qkv_busy, qkv_done, wr_en;
    logic [1:0] wr_sel;
    logic [TW + $clog2(HN) - 1:0] wr_addr;
    logic [DH - 1:0] wr_data;
    logic [TW - 1:0] step;
    logic start, running, core_done, y_valid;
    logic [1:0] draining;  // the neurons finish two cycles after the core's last word
    logic [$clog2(NU) - 1:0] y_addr;
    logic [LANES * YB - 1:0] y_data;

    assign busy = qkv_busy || qkv_done || running;

    always_ff @(posedge clk) begin
        start <= 1'b0;
        draining <= {draining[0], core_done};
        if (rst) begin
            step <= '0;
            running <= 1'b0;
            draining <= '0;
        end else begin
            if (qkv_done) begin
                start <= 1'b1;
                running <= 1'b1;
            end
            if (draining[1]) begin
                step <= step == TW'(T - 1) ? '0 : step + 1'b1;
                if (step == TW'(T - 1)) running <= 1'b0;
                else start <= 1'b1;
            end
        end
    end

    attn_qkv #(
        .N(N), .H(H), .DH(DH), .T(T), .XB(XB), .WB(WB), .IB(IB), .DB(DB), .VB(VB),
        .THQ(THQ), .THK(THK), .THV(THV)
    ) qkv (
        .clk(clk), .rst(rst), .in_valid(in_valid && !busy), .in_data(in_data),
        .busy(qkv_busy), .done(qkv_done),
        .wr_en(wr_en), .wr_sel(wr_sel), .wr_addr(wr_addr), .wr_data(wr_data)
    );

    attn_core #(.N(N), .H(H), .DH(DH), .LANES(LANES), .T(T), .PB(PB), .YB(YB)) core (
        .clk(clk), .rst(rst),
        .wr_en(wr_en), .wr_sel(wr_sel), .wr_addr(wr_addr), .wr_data(wr_data), .step(step),
        .start(start), .busy(), .done(core_done),
        .y_valid(y_valid), .y_addr(y_addr), .y_data(y_data)
    );

    attn_neurons #(.NU(NU), .LANES(LANES), .YB(YB), .AB(AB), .TH(TH)) neurons (
        .clk(clk), .rst(rst), .first(step == '0),
        .in_valid(y_valid), .in_addr(y_addr), .in_y(y_data),
        .out_valid(out_valid), .out_addr(), .out_u(), .out_spikes(out_spikes)
    );
endmodule
