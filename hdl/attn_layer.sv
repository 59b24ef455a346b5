// Streaming spike-driven attention layer: load port -> attn_core -> attn_neurons -> spike stream.
// Per time step the host writes 4 * H * N spike words of DH bits (Q, K, V+, V-, each in (head, token)
// order) while `busy` is low; the last word starts the core. Output: one word of LANES spikes per
// (head, query, chunk), in that order. The T-th step wraps back to a fresh layer (membranes zero).
module attn_layer #(
    parameter int N = 32,
    parameter int H = 4,
    parameter int DH = 16,
    parameter int LANES = 1,
    parameter int T = 8,
    parameter int PB = 5,
    parameter int YB = 11,
    parameter int AB = 13,
    parameter int TH = 16
) (
    input  logic clk,
    input  logic rst,
    input  logic in_valid,
    input  logic [DH - 1:0] in_data,
    output logic busy,
    output logic out_valid,
    output logic [LANES - 1:0] out_spikes
);
    localparam int HN = H * N;
    localparam int NU = HN * (DH / LANES);

    logic [$clog2(HN) - 1:0] ld_addr;
    logic [1:0] ld_sel;
    logic [$clog2(T + 1) - 1:0] step;
    logic start, running, core_done, y_valid;
    logic [1:0] draining;  // the neurons finish two cycles after the core's last word
    logic [$clog2(NU) - 1:0] y_addr;
    logic [LANES * YB - 1:0] y_data;
    logic accept;

    assign accept = in_valid && !running;
    assign busy = running;

    always_ff @(posedge clk) begin
        start <= 1'b0;
        draining <= {draining[0], core_done};
        if (rst) begin
            ld_addr <= '0;
            ld_sel <= '0;
            step <= '0;
            running <= 1'b0;
            draining <= '0;
        end else begin
            if (accept) begin
                ld_addr <= ld_addr == HN - 1 ? '0 : ld_addr + 1'b1;
                if (ld_addr == HN - 1) begin
                    ld_sel <= ld_sel + 1'b1;
                    if (ld_sel == 2'd3) begin
                        start <= 1'b1;
                        running <= 1'b1;
                    end
                end
            end
            if (draining[1]) begin
                running <= 1'b0;
                step <= step == T - 1 ? '0 : step + 1'b1;
            end
        end
    end

    attn_core #(.N(N), .H(H), .DH(DH), .LANES(LANES), .PB(PB), .YB(YB)) core (
        .clk(clk), .rst(rst),
        .wr_en(accept), .wr_sel(ld_sel), .wr_addr(ld_addr), .wr_data(in_data),
        .start(start), .busy(), .done(core_done),
        .y_valid(y_valid), .y_addr(y_addr), .y_data(y_data)
    );

    attn_neurons #(.NU(NU), .LANES(LANES), .YB(YB), .AB(AB), .TH(TH)) neurons (
        .clk(clk), .rst(rst), .first(step == 0),
        .in_valid(y_valid), .in_addr(y_addr), .in_y(y_data),
        .out_valid(out_valid), .out_addr(), .out_u(), .out_spikes(out_spikes)
    );
endmodule
