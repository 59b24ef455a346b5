// sc-neurocore stochastic-computing network core: snn_core's event-driven schedule and neuron update,
// with every synaptic weight applied as an SC stream (bit-true twin: sc_neurocore/sim/sc.py).
//
// Per neuron and arrived spike j (ascending index, this step's or the previous step's event list), the
// weight w is read from block RAM as sign and magnitude; the magnitude becomes the threshold
// T = (|w| << (WIDTH - (WB-1))) - 1 (0 for w = 0) of LANES comparator SNGs (sc_stream_bank). For CHUNKS
// clocks the generators advance and the ones of the LANES bits are counted (sc_popcount) and added to,
// or for w < 0 subtracted from, the neuron's signed count S. Then
// acc = round(S * 2^(WB-1) / (LANES * CHUNKS)) + bias (a shift by SHIFT_R with rounding, or left by
// SHIFT_L), and the neuron update is snn_core's (snn_neuron_update). The generators advance only while
// streaming, never reset between steps: evaluation e of the run reads generator states
// e*CHUNKS .. e*CHUNKS + CHUNKS - 1.
module snn_sc_core #(
    parameter int N_POPS = 1,
    parameter int N_PROJ = 1,
    parameter int N_NEURONS = 1,
    parameter int W_DEPTH = 1,
    parameter int EV_DEPTH = 2,
    parameter int IN_SIZE = 1,
    parameter int OUT_POP = 0,
    parameter int WB = 8,
    parameter int SB = 16,
    parameter int AB = 24,
    parameter int CB = 24,                // signed count bits: fan-in * stream length fits
    parameter int SPIKE_GE = 0,
    parameter int LANES = 16,
    parameter int CHUNKS = 16,
    parameter int SHIFT_R = 1,            // log2(stream length) - (WB-1) when positive, else 0
    parameter int SHIFT_L = 0,            // (WB-1) - log2(stream length) when positive, else 0
    parameter int WIDTH = 16,
    parameter int GENS = 4,
    parameter int STRIDE = 4,
    parameter logic [32*GENS-1:0] GEN_TAPS = '0,
    parameter logic [32*GENS-1:0] GEN_SEED = '0,
    parameter logic [16*LANES-1:0] LANE_GEN = '0,
    parameter logic [16*LANES-1:0] LANE_ROT = '0,
    parameter logic [16*LANES-1:0] LANE_REV = '0,
    parameter logic [16*N_POPS-1:0] POP_SIZE = '0,
    parameter logic [16*N_POPS-1:0] POP_NEURON_BASE = '0,
    parameter logic [16*N_POPS-1:0] POP_PROJ_FIRST = '0,
    parameter logic [16*N_POPS-1:0] POP_PROJ_COUNT = '0,
    parameter logic [16*N_POPS-1:0] POP_FAN_IN = '0,
    parameter logic [16*N_POPS-1:0] POP_FLAGS = '0,       // bit 0 spiking, 1 has_syn, 2 reset_subtract
    parameter logic [16*(N_POPS+1)-1:0] SRC_EV_BASE = '0,
    parameter logic [16*N_PROJ-1:0] PROJ_SRC = '0,
    parameter logic [16*N_PROJ-1:0] PROJ_RECURRENT = '0,
    parameter logic [16*N_PROJ-1:0] PROJ_OFFSET = '0,
    parameter WEIGHTS_FILE = "weights.mem",
    parameter NEURONS_FILE = "neurons.mem",
    localparam int IN_W = (IN_SIZE > 1) ? $clog2(IN_SIZE) : 1,
    localparam int NW = (N_NEURONS > 1) ? $clog2(N_NEURONS) : 1,
    localparam int WA = (W_DEPTH > 1) ? $clog2(W_DEPTH) : 1,
    localparam int PW = 34 + 3 * SB + AB,
    localparam int PCW = $clog2(LANES + 1)
) (
    input  logic          clk,
    input  logic          rst,
    input  logic          in_valid,
    input  logic          in_eos,
    input  logic [IN_W-1:0] in_index,
    output logic          in_ready,
    output logic          out_valid,
    output logic          out_eos,
    output logic [15:0]   out_index,
    output logic [SB-1:0] out_value,
    // Traces for co-simulation; unused outputs are optimised away.
    output logic          upd_valid,
    output logic [NW-1:0] upd_neuron,
    output logic [SB-1:0] upd_v,
    output logic [SB-1:0] upd_syn,
    output logic          upd_spike,
    output logic          syn_valid,       // one per evaluated synapse: neuron, source index, signed count,
    output logic [NW-1:0] syn_neuron,      // and generator 0's register when its stream started
    output logic [15:0]   syn_index,
    output logic [CB-1:0] syn_count,
    output logic [WIDTH-1:0] syn_state
);
    // ---------------------------------------------------------------- memories (as in snn_core)
    logic signed [WB-1:0] w_mem [W_DEPTH];
    logic [PW-1:0]        n_mem [N_NEURONS];
    logic signed [SB-1:0] v_mem [N_NEURONS];
    logic signed [SB-1:0] s_mem [N_NEURONS];
    initial begin
        $readmemh(WEIGHTS_FILE, w_mem);
        $readmemh(NEURONS_FILE, n_mem);
    end

    logic [WA-1:0] w_raddr;
    logic signed [WB-1:0] w_q;
    logic [NW-1:0] n_addr;
    logic n_re, st_we;
    logic [PW-1:0] n_q;
    logic signed [SB-1:0] v_q, s_q, v_wdata, s_wdata;

    always_ff @(posedge clk) begin
        w_q <= w_mem[w_raddr];
        if (n_re) begin
            n_q <= n_mem[n_addr];
            v_q <= v_mem[n_addr];
            s_q <= s_mem[n_addr];
        end
        if (st_we) begin
            v_mem[n_addr] <= v_wdata;
            s_mem[n_addr] <= s_wdata;
        end
    end

    // ---------------------------------------------------------------- control state
    typedef enum logic [4:0] {
        S_CLEAR, S_INPUT, S_POP, S_NEURON, S_PROJ, S_EV, S_EV_WAIT, S_W, S_W_WAIT, S_THR, S_RUN,
        S_DRAIN, S_UPDATE, S_EOS
    } state_t;
    state_t state;

    logic [15:0] pop, neuron, proj, proj_end, ev_i, ev_n, pop_size;
    logic [15:0] proj_off, neuron_base, ev_index;
    logic [15:0] chunk;
    logic [WA-1:0] w_row;
    logic [2:0] flags;
    logic [NW-1:0] clear_i;

    // ---------------------------------------------------------------- SC synapse: streams and count
    // Pipeline: [RUN] generators' bits -> [1] registered bits -> [2] registered popcount -> S.
    logic [WIDTH-1:0] threshold, state0;
    // A named wire, not an expression in the port list: Icarus 11 mis-evaluates enum compares there.
    wire streaming = (state == S_RUN);
    logic negative;
    logic [LANES-1:0] bits, bits_q;
    logic [PCW-1:0] ones, ones_q;
    logic [1:0] pipe_valid, pipe_last, pipe_neg;
    logic signed [CB-1:0] sum, ev_sum;

    wire [WB-2:0] magnitude = w_q[WB-1] ? WB'(-w_q) : w_q[WB-2:0];

    sc_stream_bank #(
        .WIDTH(WIDTH), .LANES(LANES), .GENS(GENS), .STRIDE(STRIDE), .GEN_TAPS(GEN_TAPS), .GEN_SEED(GEN_SEED),
        .LANE_GEN(LANE_GEN), .LANE_ROT(LANE_ROT), .LANE_REV(LANE_REV)
    ) u_streams (
        .clk(clk), .rst(rst), .en(streaming), .threshold(threshold), .bits(bits), .state0(state0)
    );
    sc_popcount #(.LANES(LANES)) u_count (.bits(bits_q), .count(ones));

    // The count in weight units: round(S * 2^(WB-1) / stream length), ties up; wide enough for either shift.
    localparam int RW = ((CB > AB) ? CB : AB) + 1;
    localparam logic signed [RW-1:0] HALF = (SHIFT_R > 0) ? (RW'(1) << ((SHIFT_R > 0) ? SHIFT_R - 1 : 0)) : '0;
    wire signed [CB-1:0] ones_wide = CB'(ones_q);
    wire signed [CB-1:0] delta = pipe_neg[1] ? -ones_wide : ones_wide;
    wire signed [RW-1:0] sum_wide = $signed({{(RW - CB){sum[CB-1]}}, sum});
    wire signed [RW-1:0] rounded = (SHIFT_R > 0) ? ((sum_wide + HALF) >>> SHIFT_R) : (sum_wide <<< SHIFT_L);

    always_ff @(posedge clk) begin
        bits_q <= bits;
        ones_q <= ones;
        pipe_valid <= {pipe_valid[0], streaming};
        pipe_last <= {pipe_last[0], streaming && chunk + 1'b1 == 16'(CHUNKS)};
        pipe_neg <= {pipe_neg[0], negative};
        syn_valid <= 1'b0;
        if (pipe_valid[1]) begin
            sum <= sum + delta;
            ev_sum <= pipe_last[1] ? '0 : ev_sum + delta;
            if (pipe_last[1]) begin
                syn_valid <= 1'b1;
                syn_count <= ev_sum + delta;
            end
        end
        if (state == S_NEURON) begin
            sum <= '0;
            ev_sum <= '0;
        end
        if (rst) pipe_valid <= '0;
    end

    // ---------------------------------------------------------------- event lists and neuron update
    wire taking_input = (state == S_INPUT);
    wire choosing_list = (state == S_PROJ);
    wire reading_event = (state == S_EV);
    wire ending_step = (state == S_EOS);
    wire update_start = (state == S_DRAIN) && pipe_valid == 2'b0;
    logic update_done, spike;
    logic signed [SB-1:0] v_out, syn_new;
    wire updated = (state == S_UPDATE) && update_done;
    wire [15:0] ev_q, src_count, input_count;
    wire add_event = taking_input ? in_valid && !in_eos && input_count < 16'(IN_SIZE) : updated && spike;

    snn_event_lists #(.N_LISTS(N_POPS + 1), .EV_DEPTH(EV_DEPTH), .LIST_BASE(SRC_EV_BASE)) u_events (
        .clk(clk), .rst(rst), .swap(ending_step), .add(add_event), .add_list(taking_input ? 16'd0 : pop + 1'b1),
        .add_value(taking_input ? 16'(in_index) : neuron), .input_count(input_count),
        .rd_list(PROJ_SRC[16*proj +: 16]), .rd_prev(PROJ_RECURRENT[16*proj]), .rd_count(src_count),
        .rd_open(choosing_list), .rd_en(reading_event), .rd_index(ev_i), .rd_data(ev_q)
    );

    snn_neuron_update #(.SB(SB), .AB(AB), .SPIKE_GE(SPIKE_GE)) u_update (
        .clk(clk), .rst(rst), .start(update_start), .sum(AB'(rounded)), .params(n_q), .v(v_q), .syn(s_q),
        .flags(flags), .done(update_done), .v_out(v_out), .syn_out(syn_new), .spike(spike)
    );

    // ---------------------------------------------------------------- control
    always_ff @(posedge clk) begin
        n_re <= 1'b0;
        st_we <= 1'b0;
        out_valid <= 1'b0;
        out_eos <= 1'b0;
        upd_valid <= 1'b0;
        if (rst) begin
            state <= S_CLEAR;
            clear_i <= '0;
        end else begin
            case (state)
                S_CLEAR: begin
                    n_addr <= clear_i;
                    v_wdata <= '0;
                    s_wdata <= '0;
                    st_we <= 1'b1;
                    clear_i <= clear_i + 1'b1;
                    if (clear_i == NW'(N_NEURONS - 1)) state <= S_INPUT;
                end
                S_INPUT: begin  // input spikes go to the event lists (add_event)
                    if (in_valid && in_eos) begin
                        pop <= '0;
                        w_row <= '0;
                        state <= S_POP;
                    end
                end
                S_POP: begin
                    if (pop == 16'(N_POPS)) begin
                        state <= S_EOS;
                    end else begin
                        pop_size <= POP_SIZE[16*pop +: 16];
                        neuron_base <= POP_NEURON_BASE[16*pop +: 16];
                        flags <= POP_FLAGS[16*pop +: 3];
                        neuron <= '0;
                        state <= S_NEURON;
                    end
                end
                S_NEURON: begin
                    n_addr <= NW'(neuron_base + neuron);
                    n_re <= 1'b1;
                    proj <= POP_PROJ_FIRST[16*pop +: 16];
                    proj_end <= POP_PROJ_FIRST[16*pop +: 16] + POP_PROJ_COUNT[16*pop +: 16];
                    state <= S_PROJ;
                end
                S_PROJ: begin
                    if (proj == proj_end) begin
                        state <= S_DRAIN;
                    end else if (src_count == 16'd0) begin
                        proj <= proj + 1'b1;
                    end else begin
                        proj_off <= PROJ_OFFSET[16*proj +: 16];
                        ev_n <= src_count;
                        ev_i <= '0;
                        state <= S_EV;
                    end
                end
                S_EV: state <= S_EV_WAIT;        // event-list address out (reading_event)
                S_EV_WAIT: state <= S_W;         // event-list read
                S_W: begin                       // weight address out
                    w_raddr <= WA'(w_row + proj_off + ev_q);
                    ev_index <= ev_q;
                    state <= S_W_WAIT;
                end
                S_W_WAIT: state <= S_THR;        // weight read
                S_THR: begin
                    threshold <= (magnitude == '0) ? '0 : ((WIDTH'(magnitude) << (WIDTH - (WB - 1))) - 1'b1);
                    negative <= w_q[WB-1];
                    chunk <= '0;
                    state <= S_RUN;
                end
                S_RUN: begin                     // generators advance; bits enter the count pipeline
                    if (chunk == '0) begin
                        syn_neuron <= n_addr;
                        syn_index <= ev_index;
                        syn_state <= state0;
                    end
                    chunk <= chunk + 1'b1;
                    if (chunk + 1'b1 == 16'(CHUNKS)) begin
                        ev_i <= ev_i + 1'b1;
                        if (ev_i + 1'b1 == ev_n) begin
                            proj <= proj + 1'b1;
                            state <= S_PROJ;
                        end else begin
                            state <= S_EV;
                        end
                    end
                end
                S_DRAIN: begin
                    if (update_start) state <= S_UPDATE;
                end
                S_UPDATE: begin  // a spike goes to the event lists (add_event)
                    if (update_done) begin
                        v_wdata <= v_out;
                        s_wdata <= syn_new;
                        st_we <= 1'b1;
                        upd_valid <= 1'b1;
                        upd_neuron <= n_addr;
                        upd_v <= v_out;
                        upd_syn <= syn_new;
                        upd_spike <= spike;
                        if (pop == 16'(OUT_POP) && (spike || !flags[0])) begin
                            out_valid <= 1'b1;
                            out_index <= neuron;
                            out_value <= v_out;
                        end
                        w_row <= WA'(w_row + POP_FAN_IN[16*pop +: 16]);
                        if (neuron + 1'b1 == pop_size) begin
                            pop <= pop + 1'b1;
                            state <= S_POP;
                        end else begin
                            neuron <= neuron + 1'b1;
                            state <= S_NEURON;
                        end
                    end
                end
                S_EOS: begin  // the event lists swap banks (ending_step)
                    out_eos <= 1'b1;
                    state <= S_INPUT;
                end
                default: state <= S_INPUT;
            endcase
        end
    end

    assign in_ready = (state == S_INPUT);
endmodule
