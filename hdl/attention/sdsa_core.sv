// Spike-driven self-attention core (SDSA): per time step and channel c (LANES channels per chunk),
//   count[c] = sum_n K[n, c] AND V[n, c]     (token popcount)
//   kv[c]    = LIF(count[c])                 (attn_lif: tau 2 as a shift, membranes in EBR)
//   out[n, c] = Q[n, c] AND kv[c]
// Per chunk: N cycles counting, the LIF update, N cycles gating: (D / LANES) * (2 N + 4) + 1 busy
// cycles per step. Q, K, V sit in block RAM as LANES-bit words at n * (D / LANES) + chunk (deep and
// narrow: no word selects), written through a LANES-bit load port while `busy` is low; `first` (with
// `start`) marks the first step of a sequence.
module sdsa_core #(
    parameter int N = 8,         // tokens
    parameter int D = 16,        // channels
    parameter int LANES = 1,     // channels per clock (divides D)
    parameter int YB = 5,        // signed count bits: $clog2(N + 1) + 1
    parameter int AB = 10,       // signed membrane bits
    parameter int F = 4,
    parameter int TH = 8         // LIF threshold in membrane units
) (
    input  logic clk,
    input  logic rst,
    input  logic wr_en,
    input  logic [1:0] wr_sel,   // 0 Q, 1 K, 2 V
    input  logic [$clog2(N * (D / LANES) > 1 ? N * (D / LANES) : 2) - 1:0] wr_addr,
    input  logic [LANES - 1:0] wr_data,
    input  logic start,
    input  logic first,
    output logic busy,
    output logic done,
    output logic n_valid,        // a channel neuron word: count, membrane, spike
    output logic [$clog2(D / LANES > 1 ? D / LANES : 2) - 1:0] n_addr,
    output logic [LANES * YB - 1:0] n_y,
    output logic [LANES * AB - 1:0] n_u,
    output logic [LANES - 1:0] n_spikes,
    output logic o_valid,        // a gated output word, address n * (D / LANES) + chunk
    output logic [$clog2(N * (D / LANES) > 1 ? N * (D / LANES) : 2) - 1:0] o_addr,
    output logic [LANES - 1:0] o_data
);
    localparam int C = D / LANES;
    localparam int TW = $clog2(N > 1 ? N : 2);
    localparam int CW = $clog2(C > 1 ? C : 2);
    localparam int OW = $clog2(N * C > 1 ? N * C : 2);

    logic [LANES - 1:0] qmem [0:N * C - 1];
    logic [LANES - 1:0] kmem [0:N * C - 1];
    logic [LANES - 1:0] vmem [0:N * C - 1];
    logic [LANES - 1:0] q_word, k_word, v_word;

    typedef enum logic [1:0] {IDLE, COUNT, WAIT, GATE} state_t;
    state_t state;
    logic [TW - 1:0] j;
    logic [CW - 1:0] c;
    logic [OW - 1:0] oaddr;
    logic first_r, last_j, last_c;
    logic [LANES - 1:0] kv_spikes;

    // n * C + chunk: the counters side by side for a power-of-two C (yosys drops `oaddr`), else running
    localparam bit C_POW2 = (C & (C - 1)) == 0;
    logic [OW - 1:0] o_at;
    assign o_at = C_POW2 ? OW'((OW'(j) << $clog2(C)) | OW'(c)) : oaddr;

    always_ff @(posedge clk) if (wr_en && wr_sel == 2'd0) qmem[wr_addr] <= wr_data;
    always_ff @(posedge clk) if (wr_en && wr_sel == 2'd1) kmem[wr_addr] <= wr_data;
    always_ff @(posedge clk) if (wr_en && wr_sel == 2'd2) vmem[wr_addr] <= wr_data;
    always_ff @(posedge clk) if (state == COUNT) k_word <= kmem[o_at];
    always_ff @(posedge clk) if (state == COUNT) v_word <= vmem[o_at];
    always_ff @(posedge clk) if (state == GATE) q_word <= qmem[o_at];

    assign last_j = j == TW'(N - 1);
    assign last_c = c == CW'(C - 1);

    // stage 1 of the count: the K AND V bits of the chunk read last cycle are added
    logic s1_count, s1_first, s1_last, s2_count;
    logic [CW - 1:0] s1_c, s2_c;
    logic [LANES - 1:0] kv_chunk;
    logic [LANES * YB - 1:0] counts;
    assign kv_chunk = k_word & v_word;

    genvar l;
    generate
        for (l = 0; l < LANES; l++) begin : lane
            logic [YB - 1:0] count;
            always_ff @(posedge clk) if (s1_count) count <= (s1_first ? '0 : count) + YB'(kv_chunk[l]);
            assign counts[l * YB +: YB] = count;
        end
    endgenerate

    // stage 1 of the gate: the Q word read last cycle meets the chunk's kv spikes
    logic g1_valid, g1_end;
    assign o_valid = g1_valid;
    assign busy = state != IDLE || g1_valid;  // until the last gated word is out
    assign o_data = q_word & kv_spikes;

    logic lif_valid;
    logic [LANES - 1:0] lif_spikes;
    attn_lif #(.NU(C), .LANES(LANES), .YB(YB), .AB(AB), .F(F), .TH(TH)) neurons (
        .clk(clk), .rst(rst), .first(first_r), .in_valid(s2_count), .in_addr(s2_c), .in_y(counts),
        .out_valid(lif_valid), .out_addr(n_addr), .out_y(n_y), .out_u(n_u), .out_spikes(lif_spikes)
    );
    assign n_valid = lif_valid;
    assign n_spikes = lif_spikes;

    always_ff @(posedge clk) begin
        s1_count <= state == COUNT && !rst;
        s1_first <= j == '0;
        s1_last <= last_j;
        s1_c <= c;
        s2_count <= s1_count && s1_last && !rst;
        s2_c <= s1_c;
        g1_valid <= state == GATE && !rst;
        g1_end <= state == GATE && last_j && last_c;
        o_addr <= o_at;
        done <= g1_valid && g1_end && !rst;
        if (rst) begin
            state <= IDLE;
        end else begin
            case (state)
                IDLE: if (start) begin
                    state <= COUNT;
                    first_r <= first;
                    j <= '0;
                    c <= '0;
                    oaddr <= '0;
                end
                COUNT: begin
                    j <= last_j ? '0 : j + 1'b1;
                    oaddr <= last_j ? OW'(c) : oaddr + OW'(C);
                    if (last_j) state <= WAIT;
                end
                WAIT: if (lif_valid) begin  // the chunk's kv spikes are out of the neurons
                    kv_spikes <= lif_spikes;
                    state <= GATE;
                end
                default: begin  // GATE
                    j <= last_j ? '0 : j + 1'b1;
                    oaddr <= last_j ? OW'(c) + 1'b1 : oaddr + OW'(C);
                    if (last_j) begin
                        c <= last_c ? '0 : c + 1'b1;
                        state <= last_c ? IDLE : COUNT;
                    end
                end
            endcase
        end
    end
endmodule
