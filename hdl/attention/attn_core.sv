// Spike-driven attention core: y[h,i,c] = sum_j popcount(Q[h,i] AND K[h,j]) * V[h,j,c], V ternary.
// Addition-only: the popcount of the ANDed spike words gates an add (V = +1) or a subtract (V = -1).
// Fold: LANES head dimensions are accumulated per clock; one (head, query, chunk) takes N + 2 cycles,
// so a time step takes H * N * (DH / LANES) * (N + 2) cycles. The spike words (DH bits) of all T steps
// sit in block RAM, written through the load port before the first step: Q, K and |V| at address
// {t, h * N + token}; the sign of V (constant over the steps: the drive's sign) at h * N + token.
module attn_core #(
    parameter int N = 32,        // tokens
    parameter int H = 4,         // heads
    parameter int DH = 16,       // head dimension
    parameter int LANES = 1,     // head dimensions updated per clock (divides DH)
    parameter int T = 8,         // time steps held in the spike memories
    parameter int PB = 5,        // popcount bits: $clog2(DH + 1)
    parameter int YB = 11        // signed step-sum bits
) (
    input  logic clk,
    input  logic rst,
    input  logic wr_en,
    input  logic [1:0] wr_sel,                 // 0 Q, 1 K, 2 |V|, 3 sign of V
    input  logic [(T > 1 ? $clog2(T) : 1) + $clog2(H * N) - 1:0] wr_addr,
    input  logic [DH - 1:0] wr_data,
    input  logic [(T > 1 ? $clog2(T) : 1) - 1:0] step,  // the time step to run; held while busy
    input  logic start,
    output logic busy,
    output logic done,                         // with the last y_valid
    output logic y_valid,
    output logic [$clog2(H * N * (DH / LANES)) - 1:0] y_addr,  // (h * N + i) * (DH / LANES) + chunk
    output logic [LANES * YB - 1:0] y_data
);
    localparam int C = DH / LANES;
    localparam int HN = H * N;
    localparam int AW = $clog2(HN);
    localparam int JW = $clog2(N + 1);
    localparam int CW = $clog2(C + 1);
    localparam int YAW = $clog2(H * N * (DH / LANES));
    localparam int TW = T > 1 ? $clog2(T) : 1;
    localparam int DEPTH = T << AW;            // {t, h * N + token}: the step field is wiring
    // power-of-two sizes turn the address arithmetic into wiring (yosys drops the unused counters)
    localparam bit N_POW2 = (N & (N - 1)) == 0;
    localparam bit C_POW2 = (C & (C - 1)) == 0;
    localparam bit L_POW2 = (LANES & (LANES - 1)) == 0;

    logic [DH - 1:0] qmem [0:DEPTH - 1];
    logic [DH - 1:0] kmem [0:DEPTH - 1];
    logic [DH - 1:0] vmmem [0:DEPTH - 1];
    logic [DH - 1:0] vsmem [0:HN - 1];
    logic [DH - 1:0] q_word, k_word, vm_word, vs_word;

    typedef enum logic [1:0] {IDLE, FETCH, RUN, FLUSH} state_t;
    state_t state;
    logic [AW - 1:0] hi, h_base, kv_addr;
    logic [JW - 1:0] j, i;
    logic [CW - 1:0] c;
    logic [$clog2(DH) - 1:0] c_off, c_lane;    // c * LANES (counted, or wired for a power-of-two LANES)
    logic [YAW - 1:0] chunk;                   // running (h * N + i) * C + c
    logic last_query;                          // i == N - 1
    logic fired;                               // a K/V read was issued last cycle
    logic signed [YB - 1:0] y [0:LANES - 1];

    // Separate write and read processes per memory so that yosys maps each onto EBR.
    always_ff @(posedge clk) if (wr_en && wr_sel == 2'd0) qmem[wr_addr] <= wr_data;
    always_ff @(posedge clk) if (wr_en && wr_sel == 2'd1) kmem[wr_addr] <= wr_data;
    always_ff @(posedge clk) if (wr_en && wr_sel == 2'd2) vmmem[wr_addr] <= wr_data;
    always_ff @(posedge clk) if (wr_en && wr_sel == 2'd3) vsmem[wr_addr[AW - 1:0]] <= wr_data;
    always_ff @(posedge clk) if (state == FETCH) q_word <= qmem[{step, hi}];
    always_ff @(posedge clk) if (state == RUN) k_word <= kmem[{step, kv_addr}];
    always_ff @(posedge clk) if (state == RUN) vm_word <= vmmem[{step, kv_addr}];
    always_ff @(posedge clk) if (state == RUN) vs_word <= vsmem[kv_addr];

    assign kv_addr = N_POW2 ? (hi & AW'(~(N - 1))) | AW'(j) : h_base + AW'(j);
    assign last_query = N_POW2 ? (hi & AW'(N - 1)) == AW'(N - 1) : i == JW'(N - 1);
    assign busy = state != IDLE;

    // Popcount as 4-bit look-ups summed: one LUT4 per count bit, then a short adder chain
    // (a bit-serial sum would build DH adders).
    localparam int DP = (DH + 3) / 4 * 4;
    function automatic logic [2:0] count4(input logic [3:0] w);
        case (w)
            4'h0: count4 = 3'd0;
            4'h1, 4'h2, 4'h4, 4'h8: count4 = 3'd1;
            4'h7, 4'hb, 4'hd, 4'he: count4 = 3'd3;
            4'hf: count4 = 3'd4;
            default: count4 = 3'd2;
        endcase
    endfunction
    function automatic logic [PB - 1:0] popcount(input logic [DP - 1:0] word);
        popcount = '0;
        for (int b = 0; b < DP; b += 4) popcount = popcount + PB'(count4(word[b +: 4]));
    endfunction

    logic [PB - 1:0] match;
    logic [LANES - 1:0] vm_lanes, vs_lanes;  // this chunk's |V| and sign bits
    logic signed [YB - 1:0] plus;            // +match, shared by all lanes
    assign match = popcount(DP'(q_word & k_word));
    assign plus = YB'(match);
    assign c_lane = L_POW2 ? $clog2(DH)'(c) << $clog2(LANES) : c_off;
    assign vm_lanes = vm_word[c_lane +: LANES];
    assign vs_lanes = vs_word[c_lane +: LANES];

    genvar l;
    generate
        for (l = 0; l < LANES; l++) begin : lane
            always_ff @(posedge clk) begin
                if (state == FETCH) y[l] <= '0;
                else if (fired && vm_lanes[l]) y[l] <= y[l] + (plus ^ {YB{vs_lanes[l]}}) + YB'(vs_lanes[l]);  // -m = ~m + 1 in the carry chain
            end
            assign y_data[l * YB +: YB] = y[l];
        end
    endgenerate

    always_ff @(posedge clk) begin
        y_valid <= state == FLUSH;
        done <= state == FLUSH && hi == AW'(HN - 1) && c == CW'(C - 1);
        fired <= state == RUN;
        if (rst) begin
            state <= IDLE;
            y_valid <= 1'b0;
            done <= 1'b0;
            fired <= 1'b0;
        end else begin
            case (state)
                IDLE: if (start) begin
                    state <= FETCH;
                    hi <= '0; h_base <= '0; i <= '0; c <= '0; c_off <= '0;
                    chunk <= '0;
                end
                FETCH: begin
                    state <= RUN;
                    j <= '0;
                end
                RUN: begin
                    j <= j + 1'b1;
                    if (j == JW'(N - 1)) state <= FLUSH;
                end
                default: begin  // FLUSH: the last K/V word is accumulated now; y is final next cycle
                    y_addr <= C_POW2 ? YAW'(hi) * YAW'(C) | YAW'(c) : chunk;
                    chunk <= chunk + 1'b1;
                    if (c != CW'(C - 1)) begin
                        c <= c + 1'b1;
                        c_off <= c_off + LANES;
                        state <= FETCH;
                    end else begin
                        c <= '0;
                        c_off <= '0;
                        hi <= hi + 1'b1;
                        if (last_query) begin
                            i <= '0;
                            h_base <= h_base + AW'(N);
                        end else i <= i + 1'b1;
                        state <= hi == AW'(HN - 1) ? IDLE : FETCH;
                    end
                end
            endcase
        end
    end
endmodule
