// The shared neuron update of snn_core and snn_sc_core (bit-true twin: sc_neurocore/sim/neuron_steps.py):
// Q0.16 decay products floored by an arithmetic shift, saturation to SB bits, spike condition and reset.
//
// `start` (one cycle) hands over the neuron's synaptic sum without bias; `params`, `v`, `syn` and `flags`
// must stay stable from `start` until `done`, which rises for one cycle 4 cycles later with the results.
// Stages: [0] sum + bias, [1] decay products, [2] new current and drive, [3] new membrane.
module snn_neuron_update #(
    parameter int SB = 16,                // state bits
    parameter int AB = 24,                // accumulator bits
    parameter int SPIKE_GE = 0,           // 1: spike when v >= threshold, 0: when v > threshold
    localparam int PW = 34 + 3 * SB + AB  // parameter word: k_mem, k_syn, v_leak, v_th, v_reset, bias
) (
    input  logic                 clk,
    input  logic                 rst,
    input  logic                 start,
    input  logic signed [AB-1:0] sum,
    input  logic [PW-1:0]        params,
    input  logic signed [SB-1:0] v,
    input  logic signed [SB-1:0] syn,
    input  logic [2:0]           flags,   // bit 0 spiking, 1 has_syn, 2 reset_subtract
    output logic                 done,
    output logic signed [SB-1:0] v_out,
    output logic signed [SB-1:0] syn_out,
    output logic                 spike
);
    // Fields of the parameter word, most significant first: k_mem(17) k_syn(17) v_leak v_th v_reset bias.
    wire [16:0] k_mem = params[PW-1 -: 17];
    wire [16:0] k_syn = params[PW-18 -: 17];
    wire signed [SB-1:0] v_leak  = params[AB + 3*SB - 1 -: SB];
    wire signed [SB-1:0] v_th    = params[AB + 2*SB - 1 -: SB];
    wire signed [SB-1:0] v_reset = params[AB + SB - 1 -: SB];
    wire signed [AB-1:0] bias    = params[AB-1:0];

    localparam int XW = AB + SB + 4;  // wide enough for any sum before saturation
    localparam logic signed [XW-1:0] SAT_HI = (XW'(1) <<< (SB - 1)) - 1;
    localparam logic signed [XW-1:0] SAT_LO = -(XW'(1) <<< (SB - 1));

    function automatic logic signed [SB-1:0] sat(input logic signed [XW-1:0] x);
        if (x > SAT_HI) sat = SAT_HI[SB-1:0];
        else if (x < SAT_LO) sat = SAT_LO[SB-1:0];
        else sat = x[SB-1:0];
    endfunction

    logic [3:0] stage;
    logic signed [AB-1:0] acc;
    logic signed [SB+18:0] syn_prod, mem_prod;
    logic signed [SB-1:0] v_new;
    logic signed [XW-1:0] drive;

    wire signed [17:0] k_syn_s = $signed({1'b0, k_syn});
    wire signed [17:0] k_mem_s = $signed({1'b0, k_mem});
    wire signed [SB:0] v_minus_leak = $signed({v[SB-1], v}) - $signed({v_leak[SB-1], v_leak});
    wire signed [XW-1:0] syn_sum = XW'(syn) - XW'(syn_prod >>> 16) + XW'(acc);
    wire signed [SB+3:0] v_decayed = (SB+4)'(v) - (SB+4)'(mem_prod >>> 16);  // exact: |mem_prod >>> 16| <= 2^(SB+1)
    wire signed [XW-1:0] v_sum = XW'(v_decayed) + drive;
    wire signed [XW-1:0] v_sub = XW'(v_new) - XW'(v_th);

    always_ff @(posedge clk) begin
        stage <= rst ? '0 : {stage[2:0], start};
        if (start) acc <= sum + bias;
        if (stage[0]) begin
            syn_prod <= k_syn_s * syn;
            mem_prod <= k_mem_s * v_minus_leak;
        end
        if (stage[1]) begin
            syn_out <= flags[1] ? sat(syn_sum) : '0;
            drive <= flags[1] ? XW'(sat(syn_sum)) : XW'(acc);
        end
        if (stage[2]) v_new <= sat(v_sum);
    end

    assign done = stage[3];
    assign spike = flags[0] && (SPIKE_GE ? (v_new >= v_th) : (v_new > v_th));
    assign v_out = spike ? (flags[2] ? sat(v_sub) : v_reset) : v_new;
endmodule
