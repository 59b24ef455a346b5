// sc-neurocore convolution core: a folded, memory-backed datapath for convolutional spiking networks.
//
// Every layer is "optional sum pooling, then a convolution" (a dense layer is a convolution whose kernel
// covers its whole input, so one datapath serves Conv2d, SumPool2d + Conv2d, Flatten + Affine and Affine).
// Per time step the host streams the input spike indices and an end-of-step word, as for snn_core. The
// core then visits the layers in execution order and, for each window (a block of LANES output channels
// at one row and column), walks the kernel (input channel, kernel row, kernel column) and within each
// kernel tap the pooling window: one tap per clock, reading one bit of the source layer's spike bitmap
// and one weight word holding the tap's weight for each lane, and adding each lane's weight when the bit
// is set (binary spikes: accumulate-only, no multiplier on the synapse path). Taps that fall into padding
// are walked but never added. The LANES neurons of the window are then updated one after the other by
// snn_neuron_update, with per-layer parameters and a per-channel bias.
//
// Why a gather over spike bitmaps rather than an event-driven scatter: a scatter adds each spike's weight
// into up to C_out*k*k membranes, i.e. a read-modify-write of a membrane accumulator per synapse, which the
// single-port SPRAM can do only every other clock and which needs a second accumulator memory; the gather
// keeps one accumulator register per neuron, reads every memory once per clock, and its cycle count does
// not depend on the activity (exact worst-case throughput; the cycle model is in backends/conv_layers.py).
// With 8-bit weights one SPRAM word holds two output channels' weights for a tap, so two lanes share each
// bitmap read and halve the walk.
//
// Memories: weights in SPRAM (N_WBANKS x 16k words, LANES weights per word), membranes in one SPRAM,
// spike bitmaps (the input and every layer, one bit per neuron) and the bias table in EBR. SPRAM has no
// initial contents: after reset the core zeroes the membranes and then takes W_DEPTH weight words on the
// input stream (in_index carries the word: lane k's two's complement weight at [WB*k +: WB]) before the
// first time step.
// Each layer's spike bits are rewritten every step; the input bitmap is cleared at the end of each step.
module snn_conv_core #(
    parameter int N_POPS = 1,
    parameter int N_FIELDS = 35,          // 16-bit fields per layer in LAYERS (see F_* below)
    parameter int LANES = 1,              // output channels per window walk: 1, or 2 (then 2 * WB <= 16)
    parameter int N_NEURONS = 1,
    parameter int W_DEPTH = 1,            // weight words (LANES weights each), in banks of 16384
    parameter int BM_DEPTH = 2,           // spike bitmap bits: the input's, then every layer's
    parameter int N_CHAN = 1,             // bias table entries: one per output channel of every layer
    parameter int IN_SIZE = 1,
    parameter int OUT_POP = 0,            // index of the output layer
    parameter int DW = 16,                // width of in_index: input indices and weight words (>= WB)
    parameter int WB = 8,                 // weight bits (at most 16)
    parameter int SB = 16,                // state bits (at most 16)
    parameter int AB = 24,                // accumulator bits
    parameter int SPIKE_GE = 0,           // 1: spike when v >= threshold, 0: when v > threshold
    // Layer l's field f at [16*(l*N_FIELDS + f) +: 16] (all unsigned; paddings are subtracted).
    parameter logic [16*N_FIELDS*N_POPS-1:0] LAYERS = '0,
    // Layer l's neuron parameters {k_mem(17), k_syn(17), v_leak, v_th, v_reset} at [l*NPW +: NPW].
    parameter logic [(34+3*SB)*N_POPS-1:0] NEURON_PARAMS = '0,
    parameter BIAS_FILE = "bias.mem",
    localparam int NW = (N_NEURONS > 1) ? $clog2(N_NEURONS) : 1,
    localparam int BA = (BM_DEPTH > 1) ? $clog2(BM_DEPTH) : 1,
    localparam int CA = (N_CHAN > 1) ? $clog2(N_CHAN) : 1,
    localparam int N_WBANKS = (W_DEPTH + 16383) / 16384,
    localparam int NPW = 34 + 3 * SB
) (
    input  logic          clk,
    input  logic          rst,
    input  logic          in_valid,
    input  logic          in_eos,
    input  logic [DW-1:0] in_index,
    output logic          in_ready,
    output logic          out_valid,
    output logic          out_eos,
    output logic [15:0]   out_index,
    output logic [SB-1:0] out_value,
    // Trace of every neuron update, for co-simulation and debugging; unused outputs are optimised away.
    output logic          upd_valid,
    output logic [NW-1:0] upd_neuron,
    output logic [SB-1:0] upd_v,
    output logic          upd_spike
);
    // ---------------------------------------------------------------- layer fields
    localparam int F_SIZE = 0, F_NBASE = 1, F_OUT_BM = 2, F_SRC_BM = 3, F_WBASE = 4, F_CBASE = 5, F_FLAGS = 6;
    localparam int F_OH = 7, F_OW = 8, F_CG = 9, F_OPG = 10, F_KH = 11, F_KW = 12, F_SH = 13, F_SW = 14;
    localparam int F_DH = 15, F_DW = 16, F_PT = 17, F_PL = 18, F_YH = 19, F_YW = 20;
    localparam int F_PKH = 21, F_PKW = 22, F_PSH = 23, F_PSW = 24, F_PDH = 25, F_PDW = 26, F_PPT = 27, F_PPL = 28;
    localparam int F_XH = 29, F_XW = 30, F_PLANE = 31, F_K = 32, F_GSTEP = 33, F_HW = 34;
    // F_SIZE counts windows (neurons / LANES); F_K weight words per block of LANES output channels
    localparam int CW = 18;  // signed coordinates and bitmap offsets

    logic [16*N_FIELDS-1:0] lf;   // the current layer's fields
    logic [NPW-1:0] lnp;          // the current layer's neuron parameters
    // Each field as a wire (re-evaluated only when the layer changes); z_* zero-extended for signed maths.
    wire [15:0] f_size = lf[16*F_SIZE +: 16], f_nbase = lf[16*F_NBASE +: 16], f_out_bm = lf[16*F_OUT_BM +: 16];
    wire [15:0] f_wbase = lf[16*F_WBASE +: 16], f_cbase = lf[16*F_CBASE +: 16], f_k = lf[16*F_K +: 16];
    wire [15:0] f_oh = lf[16*F_OH +: 16], f_ow = lf[16*F_OW +: 16], f_cg = lf[16*F_CG +: 16];
    wire [15:0] f_opg = lf[16*F_OPG +: 16], f_kh = lf[16*F_KH +: 16], f_kw = lf[16*F_KW +: 16];
    wire [15:0] f_pkh = lf[16*F_PKH +: 16], f_pkw = lf[16*F_PKW +: 16], f_hw = lf[16*F_HW +: 16];
    wire [2:0] flags = lf[16*F_FLAGS +: 3];  // bit 0 spiking, 1 has_syn (never set here), 2 reset_subtract
    wire signed [CW-1:0] z_src_bm = {2'b00, lf[16*F_SRC_BM +: 16]};
    wire signed [CW-1:0] z_sh = {2'b00, lf[16*F_SH +: 16]}, z_sw = {2'b00, lf[16*F_SW +: 16]};
    wire signed [CW-1:0] z_dh = {2'b00, lf[16*F_DH +: 16]}, z_dw = {2'b00, lf[16*F_DW +: 16]};
    wire signed [CW-1:0] z_pt = {2'b00, lf[16*F_PT +: 16]}, z_pl = {2'b00, lf[16*F_PL +: 16]};
    wire signed [CW-1:0] z_yh = {2'b00, lf[16*F_YH +: 16]}, z_yw = {2'b00, lf[16*F_YW +: 16]};
    wire signed [CW-1:0] z_psh = {2'b00, lf[16*F_PSH +: 16]}, z_psw = {2'b00, lf[16*F_PSW +: 16]};
    wire signed [CW-1:0] z_pdh = {2'b00, lf[16*F_PDH +: 16]}, z_pdw = {2'b00, lf[16*F_PDW +: 16]};
    wire signed [CW-1:0] z_ppt = {2'b00, lf[16*F_PPT +: 16]}, z_ppl = {2'b00, lf[16*F_PPL +: 16]};
    wire signed [CW-1:0] z_xh = {2'b00, lf[16*F_XH +: 16]}, z_xw = {2'b00, lf[16*F_XW +: 16]};
    wire signed [CW-1:0] z_plane = {2'b00, lf[16*F_PLANE +: 16]}, z_gstep = {2'b00, lf[16*F_GSTEP +: 16]};

    // ---------------------------------------------------------------- memories
    // spike bitmaps (EBR, 1 bit wide): one read port (taps) and one write port
    logic bm_mem [BM_DEPTH];
    logic [BA-1:0] bm_raddr, bm_waddr;
    logic bm_q, bm_we, bm_wdata;
    always_ff @(posedge clk) begin
        bm_q <= bm_mem[bm_raddr];
        if (bm_we) bm_mem[bm_waddr] <= bm_wdata;
    end

    // per-channel bias (EBR ROM)
    logic signed [AB-1:0] b_mem [N_CHAN];
    initial $readmemh(BIAS_FILE, b_mem);
    logic [CA-1:0] b_addr;
    logic signed [AB-1:0] b_q;
    always_ff @(posedge clk) b_q <= b_mem[b_addr];

    // weights (SPRAM banks): written while loading, read one tap per clock afterwards
    logic loading;
    logic [15:0] load_i, w_raddr;
    logic [1:0] w_bank_q;
    wire [15:0] w_addr = loading ? load_i : w_raddr;
    wire [15:0] w_wdata = (LANES == 1) ? 16'($signed(in_index[WB-1:0])) : 16'(in_index[LANES*WB-1:0]);
    logic [16*N_WBANKS-1:0] w_rdata;
    for (genvar b = 0; b < N_WBANKS; b++) begin : g_wbank
        spram_16k16 u_bank (
            .clk(clk), .addr(w_addr[13:0]), .we(loading && in_valid && w_addr[15:14] == 2'(b)),
            .wdata(w_wdata), .rdata(w_rdata[16*b +: 16])
        );
    end
    always_ff @(posedge clk) w_bank_q <= w_addr[15:14];
    wire [15:0] w_word = w_rdata[16*w_bank_q +: 16];

    // membranes (one SPRAM)
    logic [13:0] m_addr;
    logic m_we;
    logic signed [SB-1:0] m_wdata;
    wire [15:0] m_rdata;
    spram_16k16 u_membranes (.clk(clk), .addr(m_addr), .we(m_we), .wdata(16'(m_wdata)), .rdata(m_rdata));

    // ---------------------------------------------------------------- control state
    typedef enum logic [3:0] {
        S_CLEAR, S_LOAD, S_INPUT, S_LAYER, S_LINIT, S_NEURON, S_TAPS, S_DRAIN, S_FETCH, S_WAIT, S_START,
        S_UPDATE, S_WIPE, S_EOS
    } state_t;
    state_t state;

    // window: n its lane-0 neuron in the layer, o its first channel; ln and lo the neuron and channel of `lane`
    logic [15:0] layer, win, n, o, og, i, j, clear_i, ln, lo;
    logic [$clog2(LANES + 1)-1:0] lane;
    logic signed [CW-1:0] by, bx, uy, vx, pyd, pxd, cplane, gplane;
    logic [15:0] o_wbase, widx;

    // Tap pipeline, one tap per cycle: [0] window coordinates, [1] source coordinates and bounds,
    // [2] bitmap and weight addresses issued, [3] bit and weight read; the accumulator adds after [3].
    logic [3:0] pipe_valid;
    logic signed [CW-1:0] y1, x1, pyd1, pxd1, cplane1, sy2, sx2, cplane2;
    logic [15:0] w1, w2;
    logic ok2, ok3, ok4;
    logic [AB*LANES-1:0] acc;  // one accumulator per lane

    // The walk's loops, innermost first: pooling column, pooling row, kernel column, kernel row, channel.
    logic last_px, last_py, last_v, last_u, last_c;
    wire walk_start = (state == S_NEURON);
    wire walking = (state == S_TAPS);
    conv_countdown u_px (.clk(clk), .start(walk_start), .step(walking), .count(f_pkw), .last(last_px));
    conv_countdown u_py (.clk(clk), .start(walk_start), .step(walking && last_px), .count(f_pkh), .last(last_py));
    conv_countdown u_v (.clk(clk), .start(walk_start), .step(walking && last_px && last_py), .count(f_kw),
                        .last(last_v));
    conv_countdown u_u (.clk(clk), .start(walk_start), .step(walking && last_px && last_py && last_v), .count(f_kh),
                        .last(last_u));
    conv_countdown u_c (.clk(clk), .start(walk_start), .step(walking && last_px && last_py && last_v && last_u),
                        .count(f_cg), .last(last_c));
    // The window's position flags, registered: the counters change only when a window ends, and the flags
    // are read at the end of the next one, so the compares stay off the window-advance path.
    logic last_lane, last_win, last_j, last_i, last_og;
    always_ff @(posedge clk) begin
        last_lane <= 32'(lane) + 1 == LANES;
        last_win <= win + 1'b1 == f_size;
        last_j <= j + 1'b1 == f_ow;
        last_i <= i + 1'b1 == f_oh;
        last_og <= og + 16'(LANES) == f_opg;
    end

    // ---------------------------------------------------------------- neuron update
    // S_FETCH issues the lane's membrane and bias reads; both answer in S_START, and stay until the write.
    wire update_start = (state == S_START);
    logic update_done, spike;
    logic signed [SB-1:0] v_out, syn_unused;
    snn_neuron_update #(.SB(SB), .AB(AB), .SPIKE_GE(SPIKE_GE)) u_update (
        .clk(clk), .rst(rst), .start(update_start), .sum(acc[AB*lane +: AB]), .params({lnp, b_q}),
        .v(m_rdata[SB-1:0]), .syn(SB'(0)), .flags(flags), .done(update_done), .v_out(v_out), .syn_out(syn_unused),
        .spike(spike)
    );

    // ---------------------------------------------------------------- tap pipeline
    wire signed [CW-1:0] sy_next = CW'(y1 * z_psh) + pyd1;
    wire signed [CW-1:0] sx_next = CW'(x1 * z_psw) + pxd1;
    always_ff @(posedge clk) begin
        pipe_valid <= {pipe_valid[2:0], state == S_TAPS};
        // [0] the tap's position in the convolution's input (the pooled map)
        y1 <= by + uy;
        x1 <= bx + vx;
        pyd1 <= pyd;
        pxd1 <= pxd;
        cplane1 <= cplane;
        w1 <= widx;
        // [1] its pooling tap in the source map; padding of either window is a tap that adds nothing
        ok2 <= y1 >= 0 && y1 < z_yh && x1 >= 0 && x1 < z_yw;
        sy2 <= sy_next;
        sx2 <= sx_next;
        cplane2 <= cplane1;
        w2 <= w1;
        // [2] addresses
        ok3 <= ok2 && sy2 >= 0 && sy2 < z_xh && sx2 >= 0 && sx2 < z_xw;
        bm_raddr <= BA'(z_src_bm + cplane2 + CW'(sy2 * z_xw) + sx2);
        w_raddr <= w2;
        // [3] the memories answer
        ok4 <= ok3;
        for (int k = 0; k < LANES; k++) begin
            if (state == S_NEURON) acc[AB*k +: AB] <= '0;
            else if (pipe_valid[3] && ok4 && bm_q)
                acc[AB*k +: AB] <= acc[AB*k +: AB] + AB'($signed(w_word[WB*k +: WB]));
        end
    end

    // ---------------------------------------------------------------- control
    always_ff @(posedge clk) begin
        bm_we <= 1'b0;
        m_we <= 1'b0;
        out_valid <= 1'b0;
        out_eos <= 1'b0;
        upd_valid <= 1'b0;
        if (rst) begin
            state <= S_CLEAR;
            clear_i <= '0;
            loading <= 1'b0;
        end else begin
            case (state)
                S_CLEAR: begin  // zero every membrane and the input bitmap once after reset
                    m_addr <= 14'(clear_i);
                    m_wdata <= '0;
                    m_we <= clear_i < 16'(N_NEURONS);
                    bm_waddr <= BA'(clear_i);
                    bm_wdata <= 1'b0;
                    bm_we <= clear_i < 16'(IN_SIZE);
                    clear_i <= clear_i + 1'b1;
                    if (clear_i + 1'b1 == 16'(N_NEURONS > IN_SIZE ? N_NEURONS : IN_SIZE)) begin
                        loading <= 1'b1;
                        load_i <= '0;
                        state <= S_LOAD;
                    end
                end
                S_LOAD: begin  // one weight word per accepted input word (written by the SPRAM banks)
                    if (in_valid) begin
                        load_i <= load_i + 1'b1;
                        if (load_i + 1'b1 == 16'(W_DEPTH)) begin
                            loading <= 1'b0;
                            state <= S_INPUT;
                        end
                    end
                end
                S_INPUT: begin  // input spikes set their bits in the input bitmap
                    if (in_valid && in_eos) begin
                        layer <= '0;
                        state <= S_LAYER;
                    end else if (in_valid && 32'(in_index) < IN_SIZE) begin
                        bm_waddr <= BA'(in_index);
                        bm_wdata <= 1'b1;
                        bm_we <= 1'b1;
                    end
                end
                S_LAYER: begin
                    if (layer == 16'(N_POPS)) begin
                        clear_i <= '0;
                        state <= S_WIPE;
                    end else begin
                        for (int l = 0; l < N_POPS; l++) begin  // constant slices: a mux, not a multiplier
                            if (layer == 16'(l)) begin
                                lf <= LAYERS[16 * N_FIELDS * l +: 16 * N_FIELDS];
                                lnp <= NEURON_PARAMS[NPW * l +: NPW];
                            end
                        end
                        state <= S_LINIT;
                    end
                end
                S_LINIT: begin  // the first window: channels 0.., row 0, column 0
                    {win, n, o, og, i, j} <= '0;
                    by <= -z_pt;
                    bx <= -z_pl;
                    o_wbase <= f_wbase;
                    gplane <= '0;
                    state <= S_NEURON;
                end
                S_NEURON: begin  // start the window walk (the accumulators clear)
                    uy <= '0;
                    vx <= '0;
                    pyd <= -z_ppt;
                    pxd <= -z_ppl;
                    cplane <= gplane;
                    widx <= o_wbase;
                    state <= S_TAPS;
                end
                S_TAPS: begin  // one tap per cycle: pooling column, pooling row, kernel column, row, channel
                    if (!last_px) begin
                        pxd <= pxd + z_pdw;
                    end else begin
                        pxd <= -z_ppl;
                        if (!last_py) begin
                            pyd <= pyd + z_pdh;
                        end else begin
                            pyd <= -z_ppt;
                            widx <= widx + 1'b1;
                            if (!last_v) begin
                                vx <= vx + z_dw;
                            end else begin
                                vx <= '0;
                                if (!last_u) begin
                                    uy <= uy + z_dh;
                                end else begin
                                    uy <= '0;
                                    if (!last_c) begin
                                        cplane <= cplane + z_plane;
                                    end else begin
                                        state <= S_DRAIN;
                                    end
                                end
                            end
                        end
                    end
                end
                S_DRAIN: begin  // the 4-stage tap pipeline empties
                    if (pipe_valid == 4'b0) begin
                        lane <= '0;
                        ln <= n;
                        lo <= o;
                        state <= S_FETCH;
                    end
                end
                S_FETCH: begin  // the lane's membrane and its channel's bias
                    m_addr <= 14'(f_nbase + ln);
                    b_addr <= CA'(f_cbase + lo);
                    state <= S_WAIT;
                end
                S_WAIT: state <= S_START;
                S_START: state <= S_UPDATE;
                S_UPDATE: begin  // write the membrane and the spike bit back; next lane, next window in C order
                    if (update_done) begin
                        m_wdata <= v_out;
                        m_we <= 1'b1;
                        bm_waddr <= BA'(f_out_bm + ln);
                        bm_wdata <= spike;
                        bm_we <= 1'b1;
                        upd_valid <= 1'b1;
                        upd_neuron <= NW'(f_nbase + ln);
                        upd_v <= v_out;
                        upd_spike <= spike;
                        if (layer == 16'(OUT_POP) && (spike || !flags[0])) begin
                            out_valid <= 1'b1;
                            out_index <= ln;
                            out_value <= v_out;
                        end
                        if (!last_lane) begin
                            lane <= lane + 1'b1;
                            ln <= ln + f_hw;  // the same position in the next channel
                            lo <= lo + 1'b1;
                            state <= S_FETCH;
                        end else begin
                            state <= S_NEURON;
                            win <= win + 1'b1;
                            n <= n + 1'b1;
                            if (last_win) begin
                                layer <= layer + 1'b1;
                                state <= S_LAYER;
                            end else if (!last_j) begin
                                j <= j + 1'b1;
                                bx <= bx + z_sw;
                            end else begin
                                j <= '0;
                                bx <= -z_pl;
                                if (!last_i) begin
                                    i <= i + 1'b1;
                                    by <= by + z_sh;
                                end else begin  // the next block of LANES channels
                                    i <= '0;
                                    by <= -z_pt;
                                    n <= n + 1'b1 + (LANES > 1 ? f_hw : 16'd0);  // past the second lane's plane
                                    o <= o + 16'(LANES);
                                    o_wbase <= o_wbase + f_k;
                                    if (!last_og) begin
                                        og <= og + 16'(LANES);
                                    end else begin
                                        og <= '0;
                                        gplane <= gplane + z_gstep;
                                    end
                                end
                            end
                        end
                    end
                end
                S_WIPE: begin  // clear the input bitmap for the next step
                    bm_waddr <= BA'(clear_i);
                    bm_wdata <= 1'b0;
                    bm_we <= 1'b1;
                    clear_i <= clear_i + 1'b1;
                    if (clear_i + 1'b1 == 16'(IN_SIZE)) state <= S_EOS;
                end
                S_EOS: begin
                    out_eos <= 1'b1;
                    state <= S_INPUT;
                end
                default: state <= S_INPUT;
            endcase
        end
    end

    assign in_ready = (state == S_INPUT) || (state == S_LOAD);
endmodule
