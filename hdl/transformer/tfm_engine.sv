// Token-wise layer engine: one folded datapath runs every stage of a spiking transformer (embedding,
// Q/K/V projections, Q AND K popcounts, score-gated V sums, W_out, fc1, fc2, head) over the tokens,
// one accumulate per clock, with the weights shared across tokens.
//
// Each stage is a loop nest (r1, r2, o, j) read from the stage table DESC_FILE (NF 16-bit fields per
// stage, each row padded to a power of two; see backends/transformer_systemverilog.py). A stage starts with two clocks (FIELDS: load its
// row of the table; SETUP: load the address generators); then every output (r1, r2, o) takes `ins`
// FETCH clocks (operand j read from the memories, accumulated one clock later), one LAST clock
// (membrane, residual and threshold reads), one SUM clock (v + cur + bias, registered to keep the
// critical path short) and one EPI clock (saturate, threshold, writes): ins + 3 clocks.
//
//   acc = sum_j x_j * w_j            (MUL: x a pixel or a spike count, w an 8-bit weight)
//   acc = sum_j x_j ? w_j : 0        (GATE: x a spike; w a key spike -> popcount, or a score -> gated add)
//   cur = acc >>> SHR_IN  (embedding: pixel fraction bits),  acc <<< SHL_ATT  (attention: its grid minus
//         the scale shift),  acc  (other stages): constant shifts, chosen per stage by a flag
//   v   = sat16(v - (v >>> KS) + cur + bias);  s = v > theta;  v = 0 where s   (v = 0 before step 0)
//   out = s + residual               (spike counts of the residual stream, written to the activation RAM)
//
// Memories: biases/thresholds (16 bit) in block RAM initialised from the bitstream; spike counts (2 bit)
// and key spikes in block RAM; membranes, the loaded pixels and the attention scores in one SB_SPRAM256KA
// (single port: operands in FETCH, membrane read in LAST, write in EPI). The 8-bit weights live in NWB more
// SB_SPRAM256KA banks, two per 16-bit word (weight 2k in the low byte): SPRAM has no initial contents, so
// after reset the host streams the NW weight bytes (padded to an even count) over in_data once, before the
// first inference's pixels; later inferences reuse them.
// Logits (sum over steps of head accumulations + bias) stream out on out_data after the last step.
module tfm_engine #(
    parameter int NS = 10,          // stages per time step
    parameter int NF = 23,          // 16-bit fields per stage descriptor
    parameter int T = 4,            // time steps per inference
    parameter int NPIX = 64,        // input words per inference
    parameter int PIX_BASE = 0,     // SPRAM address of input word 0
    parameter int IB = 8,           // input word bits: weight bytes after reset, then pixels (unsigned)
    parameter int NC = 10,          // logits
    parameter int NW = 1024,        // weights (bytes streamed after reset)
    parameter int NWB = 1,          // SPRAM banks holding the weights (16384 words = 32768 weights each)
    parameter int WAW = 15,         // weight (byte) address bits
    parameter int NP = 256,         // bias/threshold ROM words
    parameter int NA = 2048,        // activation RAM words
    parameter int AB = 2,           // activation (spike count) bits
    parameter int NK = 256,         // key RAM words
    parameter int ACC = 24,         // accumulator bits
    parameter int LB = 24,          // logit bits
    parameter int SHR_IN = 4,       // right shift of the embedding sums (input fraction bits)
    parameter int SHL_ATT = 0,      // left shift of the attention sums
    parameter int KS = 1,           // leak: v -= v >>> KS (dt/tau = 2^-KS in every layer)
    parameter DESC_FILE = "tfm_stages.mem",
    parameter P_FILE = "tfm_params.mem"
) (
    input  logic          clk,
    input  logic          rst,
    input  logic          in_valid,
    input  logic [IB-1:0] in_data,
    output logic          busy,
    output logic          out_valid,
    output logic [LB-1:0] out_data
);
    localparam int CUR = ACC + 8;

    // ---- stage table -----------------------------------------------------------------------------
    // one row of 2^FW words per stage, so that a field's address is {stage, field}: no adder in the lookup
    localparam int FW = $clog2(NF);
    (* rom_style = "logic" *) logic [15:0] desc [NS << FW];
    initial $readmemh(DESC_FILE, desc);

    // the current stage's fields, registered (S_FIELDS) so the table lookup stays off the datapath's paths
    logic [$clog2(NS)-1:0] stage;
    logic [15:0] f [NF];
    always_ff @(posedge clk) for (int k = 0; k < NF; k++) f[k] <= desc[{stage, FW'(k)}];

    // flags: x from SPRAM (else the activation RAM), gate w from the key RAM (else SPRAM), gated add
    // (else multiply), epilogue kind, spikes to the key RAM, add the residual, bias per output index
    // (else per o), has a bias, shift the sum right by SHR_IN, shift it left by SHL_ATT
    logic xsrc_spram, wsrc_key, op_gate, dst_key, res_en, b_tok, has_bias, shift_in, shift_att;
    logic [1:0] epi_kind;  // 0 LIF, 1 store the sum in SPRAM (score), 2 accumulate a logit
    assign {shift_att, shift_in, has_bias, b_tok, res_en, dst_key, epi_kind, op_gate, wsrc_key, xsrc_spram} = f[0][10:0];
    wire [15:0] n_r1 = f[1], n_r2 = f[2], n_o = f[3], n_j = f[4];
    wire [15:0] o_base = f[17], res_base = f[18], m_base = f[19], b_base = f[20], t_base = f[21];

    // ---- control ---------------------------------------------------------------------------------
    typedef enum logic [3:0] {S_WLOAD, S_LOAD, S_FIELDS, S_SETUP, S_FETCH, S_LAST, S_SUM, S_EPI, S_OUT} state_t;
    state_t state;
    localparam int LW = WAW > 16 ? WAW : 16;
    logic [15:0] r1, r2, o, j, out_idx, t;
    logic [LW-1:0] load_idx;  // weight byte, then pixel, being loaded
    logic [$clog2(NC+1)-1:0] out_ctr;

    wire last_j = j == n_j - 1'b1;
    wire last_o = o == n_o - 1'b1;
    wire last_r2 = r2 == n_r2 - 1'b1;
    wire last_r1 = r1 == n_r1 - 1'b1;
    wire epi = state == S_EPI;
    wire p_start = state == S_SETUP;
    wire p_next_j = state == S_FETCH && !last_j;
    wire p_next_o = epi && !last_o;
    wire p_next_r2 = epi && last_o && !last_r2;
    wire p_next_r1 = epi && last_o && last_r2 && !last_r1;
    wire stage_end = epi && last_o && last_r2 && last_r1;

    logic [13:0] x_addr;
    logic [WAW-1:0] w_addr;  // a weight's byte address, or a key RAM / SPRAM word address in its low bits
    tfm_pointer #(.AW(14)) x_ptr (
        .clk(clk), .start(p_start), .next_j(p_next_j), .next_o(p_next_o), .next_r2(p_next_r2), .next_r1(p_next_r1),
        .base(f[5][13:0]), .a_r1(f[6][13:0]), .a_r2(f[7][13:0]), .a_o(f[8][13:0]), .g_o(f[9][13:0]),
        .a_j(f[10][13:0]), .addr(x_addr)
    );
    // the weight base's bits above 16 come from the field w_base_hi
    tfm_pointer #(.AW(WAW)) w_ptr (
        .clk(clk), .start(p_start), .next_j(p_next_j), .next_o(p_next_o), .next_r2(p_next_r2), .next_r1(p_next_r1),
        .base(WAW'({f[22], f[11]})), .a_r1(WAW'(f[12])), .a_r2(WAW'(f[13])), .a_o(WAW'(f[14])),
        .g_o(WAW'(f[15])), .a_j(WAW'(f[16])), .addr(w_addr)
    );

    always_ff @(posedge clk) begin
        if (rst) begin
            state <= S_WLOAD;
            load_idx <= '0;
            stage <= '0;
            t <= '0;
            out_ctr <= '0;
        end else begin
            case (state)
                S_WLOAD: if (in_valid) begin  // the weight bytes, once after reset
                    load_idx <= load_idx + 1'b1;
                    if (load_idx == LW'(NWE - 1)) begin
                        load_idx <= '0;
                        state <= S_LOAD;
                    end
                end
                S_LOAD: if (in_valid) begin
                    load_idx <= load_idx + 1'b1;
                    if (load_idx == NPIX - 1) begin
                        load_idx <= '0;
                        state <= S_FIELDS;
                    end
                end
                S_FIELDS: state <= S_SETUP;
                S_SETUP: begin
                    {r1, r2, o, j, out_idx} <= '0;
                    state <= S_FETCH;
                end
                S_FETCH: begin
                    j <= last_j ? '0 : j + 1'b1;
                    if (last_j) state <= S_LAST;
                end
                S_LAST: state <= S_SUM;
                S_SUM: state <= S_EPI;
                S_EPI: begin
                    out_idx <= out_idx + 1'b1;
                    state <= S_FETCH;
                    if (!last_o) o <= o + 1'b1;
                    else begin
                        o <= '0;
                        if (!last_r2) r2 <= r2 + 1'b1;
                        else begin
                            r2 <= '0;
                            r1 <= last_r1 ? '0 : r1 + 1'b1;
                        end
                    end
                    if (stage_end) begin
                        state <= S_FIELDS;
                        stage <= stage == NS - 1 ? '0 : stage + 1'b1;
                        if (stage == NS - 1) begin
                            t <= t + 1'b1;
                            if (t == T - 1) begin
                                t <= '0;
                                state <= S_OUT;
                            end
                        end
                    end
                end
                S_OUT: begin
                    out_ctr <= out_ctr + 1'b1;
                    if (out_ctr == NC - 1) begin
                        out_ctr <= '0;
                        state <= S_LOAD;
                    end
                end
                default: state <= S_LOAD;
            endcase
        end
    end

    assign busy = state == S_FIELDS || state == S_SETUP || state == S_FETCH || state == S_LAST || state == S_SUM
                  || state == S_EPI;

    // ---- memories --------------------------------------------------------------------------------
    // weights: byte a in bank a[WAW-1:15], word a[14:1], low byte when a[0] is 0. While loading, an even
    // byte waits in w_lo and the odd one completes the word; afterwards one weight is read per FETCH.
    localparam int NWE = NW + NW % 2;  // bytes streamed
    localparam int BB = WAW > 15 ? WAW - 15 : 1;  // bank select bits
    wire loading_weights = state == S_WLOAD;
    logic [7:0] w_lo;
    always_ff @(posedge clk) if (loading_weights && in_valid && !load_idx[0]) w_lo <= 8'(in_data);
    wire [WAW-1:0] wb_addr = loading_weights ? WAW'(load_idx) : w_addr;
    wire [BB-1:0] wb_bank = WAW > 15 ? BB'(wb_addr >> 15) : '0;
    logic [16*NWB-1:0] wb_rdata;
    for (genvar b = 0; b < NWB; b++) begin : g_wbank
        spram_16k16 u_wspram (
            .clk(clk), .addr(wb_addr[14:1]), .we(loading_weights && in_valid && load_idx[0] && wb_bank == BB'(b)),
            .wdata({8'(in_data), w_lo}), .rdata(wb_rdata[16*b +: 16])
        );
    end
    logic [BB-1:0] w_bank_q;
    logic w_half_q;
    always_ff @(posedge clk) {w_bank_q, w_half_q} <= {wb_bank, wb_addr[0]};
    wire [15:0] w_word = wb_rdata[16*w_bank_q +: 16];
    wire signed [7:0] w_q = w_half_q ? w_word[15:8] : w_word[7:0];

    logic signed [15:0] prom [NP];
    initial $readmemh(P_FILE, prom);
    logic signed [15:0] p_q, bias_r;
    wire [15:0] bias_addr = b_base + (b_tok ? out_idx : o);
    always_ff @(posedge clk) begin
        p_q <= prom[state == S_LAST ? t_base + o : bias_addr];  // bias while fetching, threshold in LAST
        if (state == S_LAST) bias_r <= has_bias ? p_q : 16'sd0;
    end

    logic signed [CUR+1:0] v_sat_wide;
    logic signed [15:0] v_sat, v_new;
    logic spike;
    logic [AB-1:0] act [NA];
    logic [AB-1:0] act_q, act_wdata;
    wire act_we = epi && epi_kind == 2'd0 && !dst_key;
    always_ff @(posedge clk) begin
        if (act_we) act[o_base + out_idx] <= act_wdata;
        act_q <= act[state == S_LAST ? res_base + out_idx : x_addr];
    end

    logic key [NK];
    logic key_q;
    always_ff @(posedge clk) begin
        if (epi && epi_kind == 2'd0 && dst_key) key[o_base + out_idx] <= spike;
        key_q <= key[w_addr[13:0]];
    end

    logic [13:0] s_addr;
    logic s_we;
    logic [15:0] s_wdata, s_rdata;
    logic signed [ACC-1:0] acc;
    always_comb begin
        s_we = 1'b0;
        s_wdata = v_new;
        s_addr = xsrc_spram ? x_addr : w_addr[13:0];
        case (state)
            S_LOAD: begin
                s_addr = 14'(PIX_BASE + load_idx);
                s_we = in_valid;
                s_wdata = 16'(in_data);
            end
            S_LAST: s_addr = 14'(m_base + out_idx);
            S_EPI: begin
                s_addr = 14'((epi_kind == 2'd1 ? o_base : m_base) + out_idx);
                s_we = epi_kind != 2'd2;
                s_wdata = epi_kind == 2'd1 ? 16'(acc) : v_new;
            end
            default: ;
        endcase
    end
    spram_16k16 u_spram (.clk(clk), .addr(s_addr), .we(s_we), .wdata(s_wdata), .rdata(s_rdata));

    // ---- accumulate (one clock after each FETCH) ----------------------------------------------------
    logic acc_en, acc_first;
    wire [5:0] x_val = xsrc_spram ? s_rdata[5:0] : 6'(act_q);
    wire signed [15:0] gate_w = wsrc_key ? 16'(key_q) : s_rdata;
    wire signed [ACC-1:0] prod = op_gate ? (x_val[0] ? ACC'(gate_w) : '0) : ACC'($signed({1'b0, x_val}) * w_q);
    always_ff @(posedge clk) begin
        acc_en <= state == S_FETCH;
        acc_first <= state == S_FETCH && j == 0;
        if (acc_en) acc <= acc_first ? prod : acc + prod;
    end

    // ---- epilogue: LIF, residual, logits ----------------------------------------------------------
    // SUM: the membrane (read in LAST), threshold and residual arrive; register v + cur + bias
    wire signed [CUR-1:0] cur = shift_in ? CUR'(acc) >>> SHR_IN : shift_att ? CUR'(acc) <<< SHL_ATT : CUR'(acc);
    wire signed [15:0] v_old = t == 0 ? 16'sd0 : $signed(s_rdata);
    wire signed [15:0] v_dec = v_old - (v_old >>> KS);
    logic signed [15:0] theta_r;
    logic [AB-1:0] res_r;
    always_ff @(posedge clk)
        if (state == S_SUM) begin
            v_sat_wide <= v_dec + cur + bias_r;
            theta_r <= p_q;
            res_r <= act_q;
        end
    // EPI: saturate, fire, reset, add the residual
    // in range when the bits above bit 15 all equal the sign: cheaper than two wide comparisons
    wire in_range = v_sat_wide[CUR+1:15] == '0 || v_sat_wide[CUR+1:15] == '1;
    assign v_sat = in_range ? 16'(v_sat_wide) : v_sat_wide[CUR+1] ? -16'sd32768 : 16'sd32767;
    assign spike = v_sat > theta_r;
    assign v_new = spike ? 16'sd0 : v_sat;
    assign act_wdata = AB'(spike) + (res_en ? res_r : '0);

    logic signed [LB-1:0] logit [NC];
    always_ff @(posedge clk)
        if (epi && epi_kind == 2'd2) logit[o] <= (t == 0 ? LB'(0) : logit[o]) + LB'(acc) + LB'(bias_r);

    assign out_valid = state == S_OUT;
    assign out_data = logit[out_ctr];
endmodule
