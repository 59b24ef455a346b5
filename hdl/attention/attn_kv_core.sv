// Linear-order attention core (Spikformer SSA, A²OS²A): per head h, per time step,
//   phase KV: KV[a, c] = sum_n K[n, a] * V[n, c]   (V = +1 adds K, V = -1 subtracts it)
//   phase QY: y[n, c]  = sum_a Q[n, a] * KV[a, c]  (Q gates additions of KV rows)
// SSA: KB = 1 (binary K, the sum is a popcount of K AND V), TERNARY = 0. A²OS²A: K >= 0 of KB bits,
// TERNARY = 1. Addition-only. Fold: LANES columns c per clock, one term per clock and lane, fully
// pipelined: a time step takes H * (2 * N * DH * (DH / LANES) + 4) + 2 cycles (busy, from start).
// Memories (EBR): Q, V+, V- words of DH bits at h * N + n; K values of KB bits at (h * N + n) * DH + a,
// or for binary K (KB = 1) K words of DH bits at h * N + n like Q and V;
// KV of one head, LANES entries of KVB bits at a * (DH / LANES) + chunk, written once per entry.
module attn_kv_core #(
    parameter int N = 8,         // tokens
    parameter int H = 2,         // heads
    parameter int DH = 8,        // head dimension
    parameter int LANES = 1,     // columns per clock (divides DH)
    parameter int KB = 1,        // unsigned K bits (1: binary K)
    parameter int TERNARY = 0,   // V in {-1, 0, +1} (else {0, 1})
    parameter int KVB = 5,       // signed KV entry bits
    parameter int YB = 8         // signed output bits
) (
    input  logic clk,
    input  logic rst,
    input  logic wr_en,
    input  logic [1:0] wr_sel,   // 0 Q, 1 K, 2 V+, 3 V-
    input  logic [$clog2(H * N * DH > 1 ? H * N * DH : 2) - 1:0] wr_addr,
    input  logic [(DH > KB ? DH : KB) - 1:0] wr_data,
    input  logic start,
    output logic busy,
    output logic done,
    output logic y_valid,
    output logic [$clog2(H * N * (DH / LANES) > 1 ? H * N * (DH / LANES) : 2) - 1:0] y_addr,  // (h N + n) C + chunk
    output logic [LANES * YB - 1:0] y_data
);
    localparam int C = DH / LANES;
    localparam int HN = H * N;
    localparam int TW = $clog2(HN > 1 ? HN : 2);            // token address
    localparam int KW = $clog2(HN * DH > 1 ? HN * DH : 2);   // K address
    localparam int GW = $clog2(DH * C > 1 ? DH * C : 2);     // KV address
    localparam int YW = $clog2(HN * C > 1 ? HN * C : 2);     // output group
    localparam int PW = YW > GW ? YW : GW;                   // a group address of either phase
    localparam int IW = $clog2((N > DH ? N : DH) + 1);       // inner and outer counters
    localparam int CW = $clog2(C + 1);
    localparam int HW = $clog2(H + 1);
    localparam int SW = $clog2(DH > 1 ? DH : 2);             // bit index in a word

    localparam bit KPACKED = KB == 1;                          // binary K: one DH-bit word per token
    localparam int KWB = KPACKED ? DH : KB;

    logic [DH - 1:0] qmem [0:HN - 1];
    logic [KWB - 1:0] kmem [0:(KPACKED ? HN : HN * DH) - 1];
    logic [DH - 1:0] vpmem [0:HN - 1];
    logic [DH - 1:0] vnmem [0:HN - 1];
    logic [LANES * KVB - 1:0] kvmem [0:DH * C - 1];
    logic [DH - 1:0] q_word, vp_word, vn_word;
    logic [KWB - 1:0] k_val;
    logic [LANES * KVB - 1:0] kv_word;

    typedef enum logic [1:0] {IDLE, RUN, DRAIN} state_t;
    state_t state;
    logic phase;                       // 0: KV, 1: QY
    logic [IW - 1:0] j, o;             // inner (KV: token, QY: row a) and outer (KV: row a, QY: token)
    logic [CW - 1:0] c;
    logic [HW - 1:0] h;
    logic [TW - 1:0] h_tok, tok;       // h * N; the token address
    logic [KW - 1:0] h_k, k_row, kaddr;  // h * N * DH; h * N * DH + a; the K address
    logic [GW - 1:0] kvaddr, grp;      // KV read address (QY); KV write address (KV)
    logic [YW - 1:0] ygrp;             // output group (QY)
    logic drain_last;
    logic last_j, last_c, last_o, last_h;

    // Addresses: with power-of-two N, H, DH and chunks they are the counters side by side (wiring,
    // and yosys drops the running address registers); otherwise the running registers, no multipliers.
    localparam bit POW2 = (N & (N - 1)) == 0 && (H & (H - 1)) == 0 && (DH & (DH - 1)) == 0 && (C & (C - 1)) == 0;
    localparam int LN = $clog2(N), LD = $clog2(DH), LC = $clog2(C);
    logic [TW - 1:0] tok_at;
    logic [KW - 1:0] k_at;
    logic [GW - 1:0] kv_at, grp_at;
    logic [YW - 1:0] ygrp_at;
    assign tok_at = POW2 ? TW'((TW'(h) << LN) | TW'(phase ? o : j)) : tok;
    assign k_at = POW2 ? KW'((KW'(h) << (LN + LD)) | (KW'(j) << LD) | KW'(o)) : kaddr;
    assign kv_at = POW2 ? GW'((GW'(j) << LC) | GW'(c)) : kvaddr;
    assign grp_at = POW2 ? GW'((GW'(o) << LC) | GW'(c)) : grp;
    assign ygrp_at = POW2 ? YW'((YW'(h) << (LN + LC)) | (YW'(o) << LC) | YW'(c)) : ygrp;

    // one write and one read process per memory, so that yosys maps each onto EBR
    always_ff @(posedge clk) if (wr_en && wr_sel == 2'd0) qmem[TW'(wr_addr)] <= wr_data[DH - 1:0];
    always_ff @(posedge clk) if (wr_en && wr_sel == 2'd1) kmem[wr_addr] <= wr_data[KWB - 1:0];
    always_ff @(posedge clk) if (wr_en && wr_sel == 2'd2) vpmem[TW'(wr_addr)] <= wr_data[DH - 1:0];
    always_ff @(posedge clk) if (wr_en && wr_sel == 2'd3) vnmem[TW'(wr_addr)] <= wr_data[DH - 1:0];
    always_ff @(posedge clk) if (state == RUN && !phase) k_val <= kmem[KPACKED ? KW'(tok_at) : k_at];
    always_ff @(posedge clk) if (state == RUN && !phase) vp_word <= vpmem[tok_at];
    always_ff @(posedge clk) if (state == RUN && !phase) vn_word <= TERNARY ? vnmem[tok_at] : '0;
    always_ff @(posedge clk) if (state == RUN && phase) q_word <= qmem[tok_at];
    always_ff @(posedge clk) if (state == RUN && phase) kv_word <= kvmem[kv_at];

    assign last_j = j == (phase ? IW'(DH - 1) : IW'(N - 1));
    assign last_o = o == (phase ? IW'(N - 1) : IW'(DH - 1));
    assign last_c = c == CW'(C - 1);
    assign last_h = h == HW'(H - 1);
    assign busy = state != IDLE;

    // stage 1: the words read last cycle are summed; stage 2: a finished group is written or output
    logic s1_valid, s1_first, s1_last, s1_phase;
    logic [CW - 1:0] s1_c;
    logic [SW - 1:0] s1_a, s1_row;   // the row a: of KV in phase QY (j), of K's bit in phase KV (o)
    logic [PW - 1:0] s1_group;
    logic s2_valid, s2_phase;
    logic [PW - 1:0] s2_group;
    logic signed [YB - 1:0] acc [0:LANES - 1];
    logic [LANES * KVB - 1:0] kv_pack;
    logic [DH - 1:0] vp_chunk, vn_chunk;
    logic q_bit;
    logic signed [YB - 1:0] k_plus;

    assign vp_chunk = vp_word >> (s1_c * LANES);
    assign vn_chunk = vn_word >> (s1_c * LANES);
    assign q_bit = q_word[s1_a];
    assign k_plus = KPACKED ? YB'(k_val[s1_row]) : YB'(k_val);  // unsigned K, zero-extended

    genvar l;
    generate
        for (l = 0; l < LANES; l++) begin : lane
            logic signed [KVB - 1:0] kv_l;
            logic signed [YB - 1:0] kv_ext, term;
            assign kv_l = kv_word[l * KVB +: KVB];
            assign kv_ext = kv_l;  // sign-extending assignment
            assign term = s1_phase ? (q_bit ? kv_ext : '0) : vp_chunk[l] ? k_plus : vn_chunk[l] ? -k_plus : '0;
            always_ff @(posedge clk) if (s1_valid) acc[l] <= (s1_first ? '0 : acc[l]) + term;
            assign kv_pack[l * KVB +: KVB] = KVB'(acc[l]);
            assign y_data[l * YB +: YB] = acc[l];
        end
    endgenerate

    always_ff @(posedge clk) if (s2_valid && !s2_phase) kvmem[GW'(s2_group)] <= kv_pack;
    assign y_valid = s2_valid && s2_phase;
    assign y_addr = YW'(s2_group);

    always_ff @(posedge clk) begin
        s1_valid <= state == RUN && !rst;
        s1_first <= j == '0;
        s1_last <= last_j;
        s1_phase <= phase;
        s1_c <= c;
        s1_a <= SW'(j);
        s1_row <= SW'(o);
        s1_group <= phase ? PW'(ygrp_at) : PW'(grp_at);
        s2_valid <= s1_valid && s1_last && !rst;
        s2_phase <= s1_phase;
        s2_group <= s1_group;
        done <= 1'b0;
        if (rst) begin
            state <= IDLE;
        end else begin
            case (state)
                IDLE: if (start) begin
                    state <= RUN;
                    phase <= 1'b0;
                    j <= '0; o <= '0; c <= '0; h <= '0;
                    h_tok <= '0; tok <= '0; h_k <= '0; k_row <= '0; kaddr <= '0;
                    grp <= '0; ygrp <= '0;
                end
                RUN: begin
                    if (!last_j) begin
                        j <= j + 1'b1;
                        if (!phase) begin
                            tok <= tok + 1'b1;
                            kaddr <= kaddr + KW'(DH);
                        end else kvaddr <= kvaddr + GW'(C);
                    end else begin
                        j <= '0;
                        if (!phase) grp <= grp + 1'b1;
                        else ygrp <= ygrp + 1'b1;
                        if (!last_c) begin
                            c <= c + 1'b1;
                            if (!phase) begin
                                tok <= h_tok;
                                kaddr <= k_row;
                            end else kvaddr <= GW'(c) + 1'b1;
                        end else begin
                            c <= '0;
                            if (!last_o) begin
                                o <= o + 1'b1;
                                if (!phase) begin
                                    tok <= h_tok;
                                    k_row <= k_row + 1'b1;
                                    kaddr <= k_row + 1'b1;
                                end else begin
                                    tok <= tok + 1'b1;
                                    kvaddr <= '0;
                                end
                            end else begin
                                o <= '0;
                                state <= DRAIN;
                                drain_last <= 1'b0;
                            end
                        end
                    end
                end
                default: begin  // DRAIN: two cycles until the last KV word is written (or y is out)
                    drain_last <= 1'b1;
                    if (drain_last) begin
                        if (!phase) begin
                            phase <= 1'b1;
                            state <= RUN;
                            tok <= h_tok;
                            kvaddr <= '0;
                        end else if (last_h) begin
                            state <= IDLE;
                            done <= 1'b1;
                        end else begin
                            phase <= 1'b0;
                            state <= RUN;
                            h <= h + 1'b1;
                            h_tok <= h_tok + TW'(N);
                            tok <= h_tok + TW'(N);
                            h_k <= h_k + KW'(N * DH);
                            k_row <= h_k + KW'(N * DH);
                            kaddr <= h_k + KW'(N * DH);
                            grp <= '0;
                        end
                    end
                end
            endcase
        end
    end
endmodule
