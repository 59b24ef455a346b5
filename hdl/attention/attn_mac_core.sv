// Baseline for the cost comparison: 8-bit dot-product attention with an integer softmax approximation.
// Per (head h, query i): s_j = sum_c q[i,c] k[j,c] (LANES multiply-accumulates per clock), m = max_j s_j;
// e_j = 2^7 >> (m - s_j) >> SH, 0 past 7 halvings (a power-of-two exp); y[c] = (sum_j e_j v[j,c]) >>> r, where
// 2^r is the power of two nearest sum_j e_j (r = the leading one's position plus the bit below it), so y is
// the weighted mean times a factor in [0.75, 1.5). Integer reference, co-simulated bit-true:
// sc_neurocore/sim/twins/softmax_attention.py.
// Q, K, V words hold LANES 8-bit values at address ((h * N + token) * (DH / LANES) + chunk).
module attn_mac_core #(
    parameter int N = 32,
    parameter int H = 4,
    parameter int DH = 16,
    parameter int LANES = 1,
    parameter int SH = 4,          // score bits dropped before the exponent
    parameter int SB = 21,         // signed score bits
    parameter int OB = 24          // signed output accumulator bits
) (
    input  logic clk,
    input  logic rst,
    input  logic wr_en,
    input  logic [1:0] wr_sel,     // 0 Q, 1 K, 2 V
    input  logic [$clog2(H * N * (DH / LANES)) - 1:0] wr_addr,
    input  logic [LANES * 8 - 1:0] wr_data,
    input  logic start,
    output logic busy,
    output logic y_valid,
    output logic [LANES * OB - 1:0] y_data
);
    localparam int C = DH / LANES;
    localparam int AW = $clog2(H * N * C);
    localparam int JW = $clog2(N + 1);
    localparam int CW = $clog2(C + 1);
    localparam int EW = 8 + $clog2(N + 1);   // sum of N weights of at most 2^7

    logic [LANES * 8 - 1:0] qmem [0:H * N * C - 1];
    logic [LANES * 8 - 1:0] kmem [0:H * N * C - 1];
    logic [LANES * 8 - 1:0] vmem [0:H * N * C - 1];
    logic signed [SB - 1:0] smem [0:N - 1];
    logic [LANES * 8 - 1:0] q_word, k_word, v_word;
    logic signed [SB - 1:0] s_word, score, best;
    logic [EW - 1:0] esum;

    typedef enum logic [2:0] {IDLE, SCORE, SAVE, WEIGH, EMIT} state_t;
    state_t state;
    logic [AW - 1:0] q_base, h_base, j_base, kv_addr;  // (h*N+i)*C, h*N*C, j*C
    logic [JW - 1:0] j, i;
    logic [CW - 1:0] c;
    logic [$clog2(H + 1) - 1:0] h;
    logic fired, q_read;

    always_ff @(posedge clk) if (wr_en && wr_sel == 2'd0) qmem[wr_addr] <= wr_data;
    always_ff @(posedge clk) if (wr_en && wr_sel == 2'd1) kmem[wr_addr] <= wr_data;
    always_ff @(posedge clk) if (wr_en && wr_sel == 2'd2) vmem[wr_addr] <= wr_data;
    always_ff @(posedge clk) if (q_read) q_word <= qmem[q_base + AW'(c)];
    always_ff @(posedge clk) if (state == SCORE) k_word <= kmem[kv_addr];
    always_ff @(posedge clk) if (state == WEIGH) v_word <= vmem[kv_addr];
    always_ff @(posedge clk) if (state == WEIGH) s_word <= smem[j];
    always_ff @(posedge clk) if (state == SAVE) smem[j] <= score + dot;

    assign q_read = state == SCORE;
    assign kv_addr = h_base + j_base + AW'(c);
    assign busy = state != IDLE;

    // dot product of one chunk: LANES signed 8 x 8 products
    logic signed [SB - 1:0] dot;
    always_comb begin
        dot = '0;
        for (int l = 0; l < LANES; l++)
            dot = dot + SB'($signed(q_word[l * 8 +: 8]) * $signed(k_word[l * 8 +: 8]));
    end

    // power-of-two softmax weight of the score read last cycle
    logic [SB - 1:0] gap;
    logic [7:0] weight;
    logic [$clog2(EW) - 1:0] norm;
    assign gap = (best - s_word) >>> SH;
    assign weight = gap > 7 ? 8'd0 : 8'd128 >> gap[2:0];
    always_comb begin  // 2^norm nearest esum; esum >= 2^7, and below 2^(EW - 1), so norm fits
        norm = '0;
        for (int b = 1; b < EW; b++) if (esum[b]) norm = ($clog2(EW))'(b) + ($clog2(EW))'(esum[b - 1]);
    end

    genvar l;
    generate
        for (l = 0; l < LANES; l++) begin : lane
            logic signed [OB - 1:0] acc;  // sum_j e_j v[j, c * LANES + l]
            always_ff @(posedge clk) begin
                if (y_valid || rst) acc <= '0;  // rst too: a run cut short must not leak into the next
                else if (fired && (state == WEIGH || state == EMIT))
                    acc <= acc + OB'($signed({1'b0, weight}) * $signed(v_word[l * 8 +: 8]));
            end
            assign y_data[l * OB +: OB] = acc >>> norm;
        end
    endgenerate

    always_ff @(posedge clk) begin
        fired <= state == SCORE || state == WEIGH;
        y_valid <= state == EMIT;
        if (fired && (state == WEIGH || state == EMIT) && c == '0) esum <= esum + EW'(weight);
        if (rst) begin
            state <= IDLE;
            fired <= 1'b0;
            y_valid <= 1'b0;
        end else begin
            case (state)
                IDLE: if (start) begin
                    state <= SCORE;
                    q_base <= '0; h_base <= '0; j_base <= '0; i <= '0; j <= '0; c <= '0; h <= '0;
                    score <= '0; best <= {1'b1, {(SB - 1){1'b0}}};
                end
                SCORE: begin  // one chunk of q_i . k_j per clock
                    if (fired) score <= score + dot;
                    if (c == CW'(C - 1)) state <= SAVE; else c <= c + 1'b1;
                end
                SAVE: begin  // the last chunk's products arrive now
                    if (score + dot > best) best <= score + dot;
                    score <= '0;
                    c <= '0;
                    if (j == JW'(N - 1)) begin
                        j <= '0;
                        j_base <= '0;
                        esum <= '0;
                        state <= WEIGH;
                    end else begin
                        j <= j + 1'b1;
                        j_base <= j_base + AW'(C);
                        state <= SCORE;
                    end
                end
                WEIGH: begin  // one key per clock: o += e_j * v_j for this chunk
                    if (j == JW'(N - 1)) state <= EMIT;
                    else begin
                        j <= j + 1'b1;
                        j_base <= j_base + AW'(C);
                    end
                end
                default: begin  // EMIT: the last key is accumulated now; y is valid next cycle
                    j <= '0;
                    j_base <= '0;
                    if (c != CW'(C - 1)) begin
                        c <= c + 1'b1;
                        state <= WEIGH;
                    end else begin
                        c <= '0;
                        best <= {1'b1, {(SB - 1){1'b0}}};
                        q_base <= q_base + AW'(C);
                        if (i == JW'(N - 1)) begin
                            i <= '0;
                            h <= h + 1'b1;
                            h_base <= h_base + AW'(N * C);
                            state <= h == H - 1 ? IDLE : SCORE;
                        end else begin
                            i <= i + 1'b1;
                            state <= SCORE;
                        end
                    end
                end
            endcase
        end
    end
endmodule
