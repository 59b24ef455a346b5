// sc-neurocore spiking network core: one time-multiplexed, event-driven datapath for a whole network.
//
// Per time step: the host streams the indices of the input neurons that spiked, then an end-of-step
// token. The core then visits the populations in execution order and, for each neuron, walks the
// event lists of its projections' sources (this step's list, or the previous step's for recurrent
// projections), adding one weight per arrived spike (accumulate-only synapses). It then applies the
// shared neuron update (see sc_neurocore/sim/neuron_steps.py, its bit-true twin), writes the state
// back, and appends the neuron to its population's event list if it fired. Output-population events
// leave on the out_* stream; out_eos closes the step.
//
// Memories: weights (ROM, $readmemh), per-neuron parameters (ROM), membranes and synaptic currents
// (RAM), event lists (RAM, two banks: this step and the previous one). All reads are synchronous so
// that yosys maps them to iCE40 EBR.
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
    localparam int EA = $clog2(2 * EV_DEPTH),
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
    // ---------------------------------------------------------------- memories
    logic signed [WB-1:0] w_mem [W_DEPTH];
    logic [PW-1:0]        n_mem [N_NEURONS];
    logic signed [SB-1:0] v_mem [N_NEURONS];
    logic signed [SB-1:0] s_mem [N_NEURONS];
    logic [15:0]          ev_mem [2 * EV_DEPTH];
    initial begin
        $readmemh(WEIGHTS_FILE, w_mem);
        $readmemh(NEURONS_FILE, n_mem);
    end

    logic [WA-1:0] w_raddr;
    logic signed [WB-1:0] w_q;
    logic [EA-1:0] ev_raddr, ev_waddr;
    logic [15:0] ev_q, ev_wdata;
    logic ev_we;
    logic [NW-1:0] n_addr;
    logic n_re, st_we;
    logic [PW-1:0] n_q;
    logic signed [SB-1:0] v_q, s_q, v_wdata, s_wdata;

    always_ff @(posedge clk) begin
        w_q <= w_mem[w_raddr];
        ev_q <= ev_mem[ev_raddr];
        if (ev_we) ev_mem[ev_waddr] <= ev_wdata;
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
        S_CLEAR, S_INPUT, S_POP, S_NEURON, S_PROJ, S_STREAM, S_DRAIN, S_U1, S_U2, S_U3, S_NEXT, S_EOS
    } state_t;
    state_t state;

    logic cur_bank;
    logic [15:0] count0 [N_POPS + 1];  // event-list lengths, bank 0
    logic [15:0] count1 [N_POPS + 1];  // bank 1
    logic [15:0] pop, neuron, proj, proj_end, ev_i, ev_n, pop_size;
    logic [15:0] src_base, proj_off, neuron_base;
    logic [WA-1:0] w_row;
    logic [2:0] flags;
    logic [NW-1:0] clear_i;

    // Stream pipeline, one arrived spike per cycle: [0] event-list address issued, [1] event index read,
    // [2] weight address issued, [3] weight read; the accumulator adds after stage 3.
    logic [3:0] pipe_valid;
    logic [15:0] off0, off1;
    logic signed [AB-1:0] acc;

    wire [15:0] src_of_proj = PROJ_SRC[16*proj +: 16];
    wire        rec_of_proj = PROJ_RECURRENT[16*proj];
    wire        src_bank    = rec_of_proj ? ~cur_bank : cur_bank;
    wire [15:0] src_count   = src_bank ? count1[src_of_proj] : count0[src_of_proj];
    wire [15:0] own_count   = cur_bank ? count1[pop + 1] : count0[pop + 1];
    wire [15:0] in_count    = cur_bank ? count1[0] : count0[0];

    // ---------------------------------------------------------------- neuron update datapath
    // Fields of the parameter word, most significant first: k_mem(17) k_syn(17) v_leak v_th v_reset bias.
    wire [16:0] k_mem = n_q[PW-1 -: 17];
    wire [16:0] k_syn = n_q[PW-18 -: 17];
    wire signed [SB-1:0] v_leak  = n_q[AB + 3*SB - 1 -: SB];
    wire signed [SB-1:0] v_th    = n_q[AB + 2*SB - 1 -: SB];
    wire signed [SB-1:0] v_reset = n_q[AB + SB - 1 -: SB];
    wire signed [AB-1:0] bias    = n_q[AB-1:0];

    localparam int XW = AB + SB + 4;  // wide enough for any sum before saturation
    localparam logic signed [XW-1:0] SAT_HI = (XW'(1) <<< (SB - 1)) - 1;
    localparam logic signed [XW-1:0] SAT_LO = -(XW'(1) <<< (SB - 1));

    function automatic logic signed [SB-1:0] sat(input logic signed [XW-1:0] x);
        if (x > SAT_HI) sat = SAT_HI[SB-1:0];
        else if (x < SAT_LO) sat = SAT_LO[SB-1:0];
        else sat = x[SB-1:0];
    endfunction

    logic signed [SB+18:0] syn_prod, mem_prod;
    logic signed [SB-1:0] syn_new, v_new;
    logic signed [XW-1:0] drive;

    wire signed [17:0] k_syn_s = $signed({1'b0, k_syn});
    wire signed [17:0] k_mem_s = $signed({1'b0, k_mem});
    wire signed [SB:0] v_minus_leak = $signed({v_q[SB-1], v_q}) - $signed({v_leak[SB-1], v_leak});
    wire signed [XW-1:0] syn_sum = XW'(s_q) - XW'(syn_prod >>> 16) + XW'(acc);
    wire signed [XW-1:0] v_sum = XW'(v_q) - XW'(mem_prod >>> 16) + drive;
    wire signed [XW-1:0] v_sub = XW'(v_new) - XW'(v_th);
    wire spike_now = flags[0] && (SPIKE_GE ? (v_new >= v_th) : (v_new > v_th));
    wire signed [SB-1:0] v_out = spike_now ? (flags[2] ? sat(v_sub) : v_reset) : v_new;

    // ---------------------------------------------------------------- control
    always_ff @(posedge clk) begin
        ev_we <= 1'b0;
        n_re <= 1'b0;
        st_we <= 1'b0;
        out_valid <= 1'b0;
        out_eos <= 1'b0;
        upd_valid <= 1'b0;
        // the stream pipeline advances every cycle
        pipe_valid <= {pipe_valid[2:0], 1'b0};
        off1 <= off0;
        w_raddr <= WA'(w_row + off1 + ev_q);
        if (pipe_valid[3]) acc <= acc + AB'(w_q);
        if (rst) begin
            state <= S_CLEAR;
            clear_i <= '0;
            cur_bank <= 1'b0;
            pipe_valid <= '0;
            for (int k = 0; k <= N_POPS; k++) begin
                count0[k] <= '0;
                count1[k] <= '0;
            end
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
                S_INPUT: begin
                    if (in_valid && in_eos) begin
                        pop <= '0;
                        w_row <= '0;
                        state <= S_POP;
                    end else if (in_valid && in_count < 16'(IN_SIZE)) begin
                        ev_waddr <= EA'(SRC_EV_BASE[15:0] + (cur_bank ? 16'(EV_DEPTH) : 16'd0) + in_count);
                        ev_wdata <= 16'(in_index);
                        ev_we <= 1'b1;
                        if (cur_bank) count1[0] <= count1[0] + 1'b1;
                        else count0[0] <= count0[0] + 1'b1;
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
                    acc <= '0;
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
                        src_base <= SRC_EV_BASE[16*src_of_proj +: 16] + (src_bank ? 16'(EV_DEPTH) : 16'd0);
                        proj_off <= PROJ_OFFSET[16*proj +: 16];
                        ev_n <= src_count;
                        ev_i <= '0;
                        state <= S_STREAM;
                    end
                end
                S_STREAM: begin
                    ev_raddr <= EA'(src_base + ev_i);
                    pipe_valid[0] <= 1'b1;
                    off0 <= proj_off;
                    ev_i <= ev_i + 1'b1;
                    if (ev_i + 1'b1 == ev_n) begin
                        proj <= proj + 1'b1;
                        state <= S_PROJ;
                    end
                end
                S_DRAIN: begin
                    if (pipe_valid == 4'b0) begin
                        acc <= acc + bias;
                        state <= S_U1;
                    end
                end
                S_U1: begin
                    syn_prod <= k_syn_s * $signed(s_q);
                    mem_prod <= k_mem_s * v_minus_leak;
                    state <= S_U2;
                end
                S_U2: begin
                    syn_new <= flags[1] ? sat(syn_sum) : '0;
                    drive <= flags[1] ? XW'(sat(syn_sum)) : XW'(acc);
                    state <= S_U3;
                end
                S_U3: begin
                    v_new <= sat(v_sum);
                    state <= S_NEXT;
                end
                S_NEXT: begin
                    v_wdata <= v_out;
                    s_wdata <= syn_new;
                    st_we <= 1'b1;
                    upd_valid <= 1'b1;
                    upd_neuron <= n_addr;
                    upd_v <= v_out;
                    upd_syn <= syn_new;
                    upd_spike <= spike_now;
                    if (spike_now) begin
                        ev_waddr <= EA'(SRC_EV_BASE[16*(pop+1) +: 16] + (cur_bank ? 16'(EV_DEPTH) : 16'd0) + own_count);
                        ev_wdata <= neuron;
                        ev_we <= 1'b1;
                        if (cur_bank) count1[pop + 1] <= count1[pop + 1] + 1'b1;
                        else count0[pop + 1] <= count0[pop + 1] + 1'b1;
                    end
                    if (pop == 16'(OUT_POP) && (spike_now || !flags[0])) begin
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
                S_EOS: begin
                    out_eos <= 1'b1;
                    // The other bank becomes this step's: empty its lists; this step's become "previous".
                    cur_bank <= ~cur_bank;
                    for (int k = 0; k <= N_POPS; k++) begin
                        if (cur_bank) count0[k] <= '0;
                        else count1[k] <= '0;
                    end
                    state <= S_INPUT;
                end
                default: state <= S_INPUT;
            endcase
        end
    end

    assign in_ready = (state == S_INPUT);
endmodule
