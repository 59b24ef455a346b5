// Q/K/V projections and their integrate-and-fire neurons, for all T time steps at once.
//   load:    after reset the host streams the weights once, 3 * D * D words of WB bits: W_q, W_k then W_v,
//            each by output dimension e = h * DH + c, then input dimension d (W transposed); then, per
//            inference, the input x_q as N * D words of XB bits (token, then dimension).
//   project: per (token n, e) the three drives P_m = sum_d x[n, d] W_m[d, e] at once, one multiply per
//            clock and matrix (three SB_MAC16); then T cycles of IF on the constant drives:
//            v += |P|; s = v >= TH_m; v -= s TH_m (Q and K drive with max(P, 0); V with |P|, its sign
//            kept apart); per DH dimensions, the T spike words of Q, K and |V| and V's sign word go to
//            the attention core.
// The drive is constant over the steps, so the T steps of a neuron run straight after its drive: no
// drive or membrane is stored, only the spikes (in the core's block RAM).
// x (N words of 2^clog2(D)) and each weight matrix (D * D words) sit in their own SB_SPRAM256KA.
module attn_qkv #(
    parameter int N = 32,
    parameter int H = 4,
    parameter int DH = 16,
    parameter int T = 8,
    parameter int XB = 8,        // input bits (signed)
    parameter int WB = 8,        // weight bits (signed)
    parameter int IB = 8,        // host word bits: max(XB, WB)
    parameter int DB = 21,       // signed drive bits
    parameter int VB = 24,       // unsigned membrane bits (also holds the thresholds)
    parameter int THQ = 1,
    parameter int THK = 1,
    parameter int THV = 1
) (
    input  logic clk,
    input  logic rst,
    input  logic in_valid,                     // the host's word, taken while !busy
    input  logic [IB - 1:0] in_data,
    output logic busy,
    output logic done,                         // one cycle: every spike word is written
    output logic wr_en,
    output logic [1:0] wr_sel,                 // to attn_core: 0 Q, 1 K, 2 |V|, 3 sign of V
    output logic [(T > 1 ? $clog2(T) : 1) + $clog2(H * N) - 1:0] wr_addr,
    output logic [DH - 1:0] wr_data
);
    localparam int D = H * DH;
    localparam int DW = $clog2(D);             // x address {n, d}: the dimension field is wiring
    localparam int NW = $clog2(N + 1);
    localparam int AW = $clog2(H * N);
    localparam int TW = T > 1 ? $clog2(T) : 1;
    localparam int SW = T * DH;                // spike bits of one head's dimensions, per matrix

    typedef enum logic [2:0] {LOADW, LOADX, MAC, DRAIN, FIRE, WRITE} state_t;
    state_t state;
    logic [1:0] m;                             // LOADW: matrix loaded; WRITE: plane (3 = V's sign)
    logic [NW - 1:0] n;
    logic [$clog2(H + 1) - 1:0] h;
    logic [$clog2(DH + 1) - 1:0] c;
    logic [DW:0] d;
    logic [TW:0] t;                            // FIRE: step; WRITE: word of the plane
    logic [13:0] w_ptr;                        // weight address e * D + d, counted
    logic [AW - 1:0] hi, hi_base;              // h * N + n, counted

    // ---- the single-port RAMs: x and one per weight matrix --------------------------------------------
    // (port expressions name no enum constant: Icarus 11 would take them for implicit wires)
    // (nets: each matrix block drives its own bits)
    logic load, x_we, x_cs, mac;
    wire [2:0] w_we, w_cs;
    logic [13:0] x_addr;
    logic [15:0] host_word, x_out;
    wire [3 * 16 - 1:0] w_out;
    assign load = in_valid && (state == LOADW || state == LOADX);
    assign busy = state != LOADW && state != LOADX;
    assign mac = state == MAC;
    assign x_we = state == LOADX;
    assign x_cs = load && x_we || mac;
    assign x_addr = 14'({n[NW - 1:0], d[DW - 1:0]});
    assign host_word = 16'(in_data);

    SB_SPRAM256KA x_ram (
        .ADDRESS(x_addr), .DATAIN(host_word), .MASKWREN(4'hf), .WREN(x_we), .CHIPSELECT(x_cs), .CLOCK(clk),
        .STANDBY(1'b0), .SLEEP(1'b0), .POWEROFF(1'b1), .DATAOUT(x_out)
    );

    // ---- per matrix: multiply-accumulate (read, SB_MAC16, accumulate), then IF over the T steps ----------
    logic s1, s1_first, s1_last, s2, s2_first, s2_last;
    always_ff @(posedge clk) begin
        s1 <= mac;
        s1_first <= mac && d == 0;
        s1_last <= mac && d == D - 1;
        s2 <= s1;
        s2_first <= s1_first;
        s2_last <= s1_last;
    end

    wire [3 * SW - 1:0] spikes;                // per matrix, after a head's DH dimensions: bit c * T + t
    logic [DH - 1:0] signs;                    // bit c: the V drive of dimension c is negative
    logic v_negative;
    genvar g, b;
    generate
        for (g = 0; g < 3; g++) begin : matrix
            localparam int TH = g == 0 ? THQ : g == 1 ? THK : THV;
            logic signed [XB + WB - 1:0] prod;
            logic signed [DB - 1:0] acc;
            logic [VB - 1:0] drive, v, v_sum;
            logic [SW - 1:0] shifted;
            logic fire;

            assign w_we[g] = state == LOADW && m == g;
            assign w_cs[g] = load && w_we[g] || mac;
            SB_SPRAM256KA w_ram (
                .ADDRESS(w_ptr), .DATAIN(host_word), .MASKWREN(4'hf), .WREN(w_we[g]), .CHIPSELECT(w_cs[g]),
                .CLOCK(clk), .STANDBY(1'b0), .SLEEP(1'b0), .POWEROFF(1'b1), .DATAOUT(w_out[g * 16 +: 16])
            );

            assign drive = acc[DB - 1] ? (g == 2 ? VB'(-acc) : '0) : VB'(acc);
            assign v_sum = (t == 0 ? '0 : v) + drive;
            assign fire = v_sum >= VB'(TH);

            always_ff @(posedge clk) begin
                prod <= $signed(x_out[XB - 1:0]) * $signed(w_out[g * 16 +: WB]);
                if (s2) acc <= (s2_first ? DB'(0) : acc) + DB'(prod);
                if (state == FIRE) begin
                    v <= fire ? v_sum - VB'(TH) : v_sum;
                    shifted <= {fire, shifted[SW - 1:1]};
                end
                if (state == WRITE && m == g) shifted <= {1'b0, shifted[SW - 1:1]};
            end
            assign spikes[g * SW +: SW] = shifted;
            if (g == 2) begin : sign
                assign v_negative = acc[DB - 1];
            end
        end
    endgenerate

    // ---- the words for the core: step t's word of plane m is bit c * T of its (shifted) register -------
    logic [DH - 1:0] word;
    generate
        for (b = 0; b < DH; b++) begin : gather
            assign word[b] = spikes[(m == 2'd3 ? 0 : m) * SW + b * T];
        end
    endgenerate

    always_ff @(posedge clk) begin
        done <= 1'b0;
        wr_en <= state == WRITE;
        wr_sel <= m;
        wr_addr <= {TW'(t), hi};
        wr_data <= m == 2'd3 ? signs : word;
        if (state == FIRE && t == 0) signs <= {v_negative, signs[DH - 1:1]};
        if (rst) begin
            state <= LOADW;
            wr_en <= 1'b0;
            m <= '0; n <= '0; d <= '0; w_ptr <= '0;
        end else begin
            case (state)
                LOADW: if (load) begin
                    w_ptr <= w_ptr == D * D - 1 ? '0 : w_ptr + 1'b1;
                    if (w_ptr == D * D - 1) begin
                        m <= m + 1'b1;
                        if (m == 2'd2) state <= LOADX;
                    end
                end
                LOADX: if (load) begin
                    d <= d == D - 1 ? '0 : d + 1'b1;
                    if (d == D - 1) n <= n == N - 1 ? '0 : n + 1'b1;
                    if (d == D - 1 && n == N - 1) begin
                        state <= MAC;
                        h <= '0; c <= '0; hi <= '0; hi_base <= '0; w_ptr <= '0;
                    end
                end
                MAC: begin
                    w_ptr <= w_ptr + 1'b1;
                    d <= d == D - 1 ? '0 : d + 1'b1;
                    if (d == D - 1) state <= DRAIN;
                end
                DRAIN: if (s2_last) begin
                    state <= FIRE;
                    t <= '0;
                end
                FIRE: begin
                    t <= t + 1'b1;
                    if (t == T - 1) begin
                        t <= '0;
                        m <= '0;
                        c <= c == DH - 1 ? '0 : c + 1'b1;
                        state <= c == DH - 1 ? WRITE : MAC;
                    end
                end
                default: begin  // WRITE: T words of Q, K and |V|, then V's sign word
                    t <= t + 1'b1;
                    if (t == T - 1 || m == 2'd3) begin
                        t <= '0;
                        m <= m + 1'b1;
                    end
                    if (m == 2'd3) begin
                        h <= h == H - 1 ? '0 : h + 1'b1;
                        hi <= hi + AW'(N);
                        state <= MAC;
                        if (h == H - 1) begin  // the token is done: the next one, or the inference
                            n <= n == N - 1 ? '0 : n + 1'b1;
                            hi <= AW'(n == N - 1 ? 0 : hi_base + 1'b1);
                            hi_base <= AW'(n == N - 1 ? 0 : hi_base + 1'b1);
                            w_ptr <= '0;
                            if (n == N - 1) begin
                                state <= LOADX;
                                done <= 1'b1;
                            end
                        end
                    end
                end
            endcase
        end
    end
endmodule
