// sc-neurocore spiking network core: one time-multiplexed, event-driven datapath for a whole network.
//
// The schedule (snn_schedule, in snn_schedule.sv: memories, event lists, neuron update, control) visits
// every neuron once per time step; for each projection onto it, this core's datapath adds one weight per
// arrived spike of the projection's source (accumulate-only synapses), one spike a cycle.
module snn_core #(
    parameter int N_POPS = 1,
    parameter int N_PROJ = 1,
    parameter int N_NEURONS = 1,
    parameter int W_DEPTH = 1,
    parameter int EV_DEPTH = 2,           // entries per bank: input size + every population's size
    parameter int IN_SIZE = 1,
    parameter int OUT_POP = 0,            // index of the output population
    parameter int WB = 8,                 // weight bits
    parameter int SB = 16,                // state bits
    parameter int AB = 24,                // accumulator bits
    parameter int SPIKE_GE = 0,           // 1: spike when v >= threshold, 0: when v > threshold
    // Tables, 16 bits per entry, entry k at [16*k +: 16]. Source 0 is the input; population p is source p+1.
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
    localparam int PW = 34 + 3 * SB + AB  // neuron parameter word: k_mem, k_syn, v_leak, v_th, v_reset, bias
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
    // Trace of every neuron update, for co-simulation and debugging; unused outputs are optimised away.
    output logic          upd_valid,
    output logic [NW-1:0] upd_neuron,
    output logic [SB-1:0] upd_v,
    output logic [SB-1:0] upd_syn,
    output logic          upd_spike
);
    logic starting_neuron, events;
    logic [15:0] ev_q, proj_off;
    logic [WA-1:0] w_row, w_raddr;
    logic signed [WB-1:0] w_q;
    logic [NW-1:0] n_addr;

    // Stream pipeline, one arrived spike per cycle: [0] event-list address issued, [1] event index read,
    // [2] weight address issued, [3] weight read; the accumulator adds after stage 3.
    logic [3:0] pipe_valid;
    logic [15:0] off0, off1;
    logic signed [AB-1:0] acc;
    wire drained = pipe_valid == 4'b0;

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
        .starting_neuron(starting_neuron), .events(events), .event_read(events), .event_done(1'b1), .ev_q(ev_q),
        .w_row(w_row), .proj_off(proj_off), .w_raddr(w_raddr), .w_q(w_q), .n_addr(n_addr), .drained(drained),
        .sum(acc)
    );

    // ---------------------------------------------------------------- datapath: the pipeline advances every cycle
    always_ff @(posedge clk) begin
        pipe_valid <= {pipe_valid[2:0], events};  // one event read a cycle while the schedule hands them over
        off1 <= off0;
        w_raddr <= WA'(w_row + off1 + ev_q);
        if (pipe_valid[3]) acc <= acc + AB'(w_q);
        if (rst) begin
            pipe_valid <= '0;
        end else begin
            if (events) off0 <= proj_off;
            if (starting_neuron) acc <= '0;
        end
    end
endmodule
