// sc-neurocore stochastic-computing network core: snn_core's event-driven schedule (snn_schedule) and neuron update,
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
    logic starting_neuron, events;
    logic [15:0] ev_q, proj_off, ev_index;
    logic [15:0] chunk;
    logic [WA-1:0] w_row, w_raddr;
    logic signed [WB-1:0] w_q;
    logic [NW-1:0] n_addr;

    // One arrived spike's synapse, while the schedule hands the events over: event-list address out
    // (reading_event), event-list read, weight address out, weight read, threshold, CHUNKS clocks of streams.
    typedef enum logic [2:0] { EV, EV_WAIT, W, W_WAIT, THR, RUN } step_t;
    step_t step;
    wire reading_event = events && (step == EV);
    wire streaming = (step == RUN);
    wire last_chunk = streaming && chunk + 1'b1 == 16'(CHUNKS);

    // ---------------------------------------------------------------- SC synapse: streams and count
    // Pipeline: [RUN] generators' bits -> [1] registered bits -> [2] registered popcount -> S.
    logic [WIDTH-1:0] threshold, state0;
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
        pipe_last <= {pipe_last[0], last_chunk};
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
        if (starting_neuron) begin
            sum <= '0;
            ev_sum <= '0;
        end
        if (rst) pipe_valid <= '0;
    end

    // ---------------------------------------------------------------- schedule (as snn_core's)
    // Named wires, not expressions in port lists: Icarus 11 mis-evaluates enum compares there.
    wire drained = pipe_valid == 2'b0;
    wire signed [AB-1:0] neuron_sum = AB'(rounded);

    snn_schedule #(
        .N_POPS(N_POPS), .N_PROJ(N_PROJ), .N_NEURONS(N_NEURONS), .W_DEPTH(W_DEPTH), .EV_DEPTH(EV_DEPTH),
        .IN_SIZE(IN_SIZE), .OUT_POP(OUT_POP), .WB(WB), .SB(SB), .AB(AB), .SPIKE_GE(SPIKE_GE),
        .POP_SIZE(POP_SIZE), .POP_NEURON_BASE(POP_NEURON_BASE), .POP_PROJ_FIRST(POP_PROJ_FIRST),
        .POP_PROJ_COUNT(POP_PROJ_COUNT), .POP_FAN_IN(POP_FAN_IN), .POP_FLAGS(POP_FLAGS), .SRC_EV_BASE(SRC_EV_BASE),
        .PROJ_SRC(PROJ_SRC), .PROJ_RECURRENT(PROJ_RECURRENT), .PROJ_OFFSET(PROJ_OFFSET),
        .WEIGHTS_FILE(WEIGHTS_FILE), .NEURONS_FILE(NEURONS_FILE)
    ) u_schedule (
        .clk(clk), .rst(rst), .in_valid(in_valid), .in_eos(in_eos), .in_index(in_index), .in_ready(in_ready),
        .out_valid(out_valid), .out_eos(out_eos), .out_index(out_index), .out_value(out_value),
        .upd_valid(upd_valid), .upd_neuron(upd_neuron), .upd_v(upd_v), .upd_syn(upd_syn), .upd_spike(upd_spike),
        .starting_neuron(starting_neuron), .events(events), .event_read(reading_event), .event_done(last_chunk),
        .ev_q(ev_q), .w_row(w_row), .proj_off(proj_off), .w_raddr(w_raddr), .w_q(w_q), .n_addr(n_addr),
        .drained(drained), .sum(neuron_sum)
    );

    // ---------------------------------------------------------------- one arrived spike's synapse
    always_ff @(posedge clk) begin
        if (rst) begin
            step <= EV;
        end else begin
            case (step)
                EV: if (events) step <= EV_WAIT;  // waits here for the schedule's next projection
                EV_WAIT: step <= W;
                W: begin
                    w_raddr <= WA'(w_row + proj_off + ev_q);
                    ev_index <= ev_q;
                    step <= W_WAIT;
                end
                W_WAIT: step <= THR;
                THR: begin
                    threshold <= (magnitude == '0) ? '0 : ((WIDTH'(magnitude) << (WIDTH - (WB - 1))) - 1'b1);
                    negative <= w_q[WB-1];
                    chunk <= '0;
                    step <= RUN;
                end
                default: begin  // RUN: generators advance; bits enter the count pipeline
                    if (chunk == '0) begin
                        syn_neuron <= n_addr;
                        syn_index <= ev_index;
                        syn_state <= state0;
                    end
                    chunk <= chunk + 1'b1;
                    if (last_chunk) step <= EV;  // the schedule takes the event (event_done)
                end
            endcase
        end
    end
endmodule
