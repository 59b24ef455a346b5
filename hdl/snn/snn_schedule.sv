// The event-driven schedule of snn_core and snn_sc_core: the memories, the event lists, the neuron update
// and the control that walks the network once per time step (the cores differ only in their synapse
// datapath, which is handed each projection's arrived spikes).
//
// Per time step: the host streams the indices of the input neurons that spiked, then an end-of-step
// token. The schedule then visits the populations in execution order and, for each neuron, the
// projections onto it; for each projection whose source list (this step's, or the previous step's for a
// recurrent projection) holds spikes, `events` rises and the datapath reads them one by one (`event_read`
// issues the read of event `ev_i`, whose index arrives on `ev_q` two cycles later) and raises `event_done`
// when it has taken one. Once the datapath has `drained` its pipeline, `sum` goes to the neuron update
// (snn_neuron_update); the state is written back and the neuron appended to its population's event list
// if it fired. Output-population events leave on the out_* stream; out_eos closes the step.
//
// Memories: weights (ROM, $readmemh; the datapath addresses them), per-neuron parameters (ROM), membranes
// and synaptic currents (RAM), event lists (RAM, in snn_event_lists). All reads are synchronous so that
// yosys maps them to iCE40 EBR.
module snn_schedule #(
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
    output logic          upd_valid,
    output logic [NW-1:0] upd_neuron,
    output logic [SB-1:0] upd_v,
    output logic [SB-1:0] upd_syn,
    output logic          upd_spike,
    // the synapse datapath's side
    output logic          starting_neuron,  // the datapath clears its sum
    output logic          events,           // the datapath's turn: the arrived spikes of one projection
    input  logic          event_read,
    input  logic          event_done,
    output logic [15:0]   ev_q,             // the source index of the event read
    output logic [WA-1:0] w_row,            // the neuron's first weight ...
    output logic [15:0]   proj_off,         // ... and the projection's offset from it
    input  logic [WA-1:0] w_raddr,
    output logic signed [WB-1:0] w_q,       // the weight at w_raddr, a cycle later
    output logic [NW-1:0] n_addr,           // the neuron
    input  logic          drained,
    input  logic signed [AB-1:0] sum        // the neuron's synaptic sum, once drained
);
    // ---------------------------------------------------------------- memories
    logic signed [WB-1:0] w_mem [W_DEPTH];
    logic [PW-1:0]        n_mem [N_NEURONS];
    logic signed [SB-1:0] v_mem [N_NEURONS];
    logic signed [SB-1:0] s_mem [N_NEURONS];
    initial begin
        $readmemh(WEIGHTS_FILE, w_mem);
        $readmemh(NEURONS_FILE, n_mem);
    end

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
    typedef enum logic [3:0] {
        S_CLEAR, S_INPUT, S_POP, S_NEURON, S_PROJ, S_EVENTS, S_DRAIN, S_UPDATE, S_EOS
    } state_t;
    state_t state;

    logic [15:0] pop, neuron, proj, proj_end, ev_i, ev_n, pop_size;
    logic [15:0] neuron_base;
    logic [2:0] flags;
    logic [NW-1:0] clear_i;

    // ---------------------------------------------------------------- event lists and neuron update
    // Named wires, not expressions in port lists: Icarus 11 mis-evaluates enum compares there.
    wire taking_input = (state == S_INPUT);
    wire choosing_list = (state == S_PROJ);
    wire ending_step = (state == S_EOS);
    assign starting_neuron = (state == S_NEURON);
    assign events = (state == S_EVENTS);
    wire update_start = (state == S_DRAIN) && drained;
    logic update_done, spike;
    logic signed [SB-1:0] v_out, syn_new;
    wire updated = (state == S_UPDATE) && update_done;
    wire [15:0] src_count, input_count;
    wire add_event = taking_input ? in_valid && !in_eos && input_count < 16'(IN_SIZE) : updated && spike;

    snn_event_lists #(.N_LISTS(N_POPS + 1), .EV_DEPTH(EV_DEPTH), .LIST_BASE(SRC_EV_BASE)) u_events (
        .clk(clk), .rst(rst), .swap(ending_step), .add(add_event), .add_list(taking_input ? 16'd0 : pop + 1'b1),
        .add_value(taking_input ? 16'(in_index) : neuron), .input_count(input_count),
        .rd_list(PROJ_SRC[16*proj +: 16]), .rd_prev(PROJ_RECURRENT[16*proj]), .rd_count(src_count),
        .rd_open(choosing_list), .rd_en(event_read), .rd_index(ev_i), .rd_data(ev_q)
    );

    snn_neuron_update #(.SB(SB), .AB(AB), .SPIKE_GE(SPIKE_GE)) u_update (
        .clk(clk), .rst(rst), .start(update_start), .sum(sum), .params(n_q), .v(v_q), .syn(s_q), .flags(flags),
        .done(update_done), .v_out(v_out), .syn_out(syn_new), .spike(spike)
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
                S_CLEAR: begin  // zero every membrane and current once after reset
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
                S_NEURON: begin  // the datapath clears its sum (starting_neuron)
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
                        state <= S_EVENTS;
                    end
                end
                S_EVENTS: begin  // the datapath takes the projection's events (event_read, event_done)
                    if (event_done) begin
                        ev_i <= ev_i + 1'b1;
                        if (ev_i + 1'b1 == ev_n) begin
                            proj <= proj + 1'b1;
                            state <= S_PROJ;
                        end
                    end
                end
                S_DRAIN: begin
                    if (update_start) state <= S_UPDATE;
                end
                S_UPDATE: begin  // 4 cycles (S_U1..S_NEXT of the cycle model); a spike goes to the event lists
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
