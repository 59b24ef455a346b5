// CPG-PE position encoder as phase accumulators and comparators, LANES phases per clock.
// Each `in_valid` pulse (while `busy` is low) emits one position: for every row of LANES phases
// (phases and increments in block RAM) one word of 2 * LANES spikes, bit 2l = [LO <= phase <= HI]
// (sin >= 0.8) and bit 2l + 1 = [phase <= CW or phase >= 2^PB - CW] (cos >= 0.8), then phase += W.
// Rows are pipelined: R + 1 cycles per position. Position 0 (after reset) reads the phases as zero.
module cpg_encoder #(
    parameter int D2 = 32,       // phases (d_model / 2)
    parameter int LANES = 1,
    parameter int PB = 16,
    parameter int LO = 9672,
    parameter int HI = 23096,
    parameter int CW = 6711,
    parameter W_FILE = "cpg_w.mem"
) (
    input  logic clk,
    input  logic rst,
    input  logic in_valid,
    output logic busy,
    output logic out_valid,
    output logic [2 * LANES - 1:0] out_spikes
);
    localparam int R = D2 / LANES;

    logic [LANES * PB - 1:0] wmem [0:R - 1];
    logic [LANES * PB - 1:0] pmem [0:R - 1];
    initial $readmemh(W_FILE, wmem);

    logic running, v1, first;
    logic [$clog2(R + 1) - 1:0] rd, r1;
    logic [LANES * PB - 1:0] p_q, w_q, p_next;
    logic [2 * LANES - 1:0] spikes;

    assign busy = running || v1;

    genvar l;
    generate
        for (l = 0; l < LANES; l++) begin : lane
            logic [PB - 1:0] phase;
            assign phase = first ? '0 : p_q[l * PB +: PB];
            assign p_next[l * PB +: PB] = phase + w_q[l * PB +: PB];  // wraps mod 2^PB: a whole turn
            assign spikes[2 * l] = phase >= PB'(LO) && phase <= PB'(HI);
            assign spikes[2 * l + 1] = phase <= PB'(CW) || phase >= PB'((1 << PB) - CW);
        end
    endgenerate

    always_ff @(posedge clk) begin
        if (running) begin
            p_q <= pmem[rd];
            w_q <= wmem[rd];
            r1 <= rd;
        end
        if (v1) pmem[r1] <= p_next;
    end

    always_ff @(posedge clk) begin
        out_valid <= v1;
        if (v1) out_spikes <= spikes;
        if (rst) begin
            running <= 1'b0;
            v1 <= 1'b0;
            first <= 1'b1;
            rd <= '0;
            out_valid <= 1'b0;
        end else begin
            v1 <= running;
            if (!busy && in_valid) running <= 1'b1;
            if (running) begin
                rd <= rd == R - 1 ? '0 : rd + 1'b1;
                if (rd == R - 1) running <= 1'b0;
            end
            if (v1 && !running) first <= 1'b0;  // the last row of a position
        end
    end
endmodule
