// sc_lfsr: maximal-length LFSR, bit-true twin of sc_neurocore.bitstream.lfsr (LfsrSpec / lfsr_states).
//
// One shift step f on the WIDTH-bit state s with tap mask T = TAPS[WIDTH-1:0]:
//   Galois    (GALOIS != 0): f(s) = (s >> 1) ^ (s[0] ? T : 0)
//   Fibonacci (GALOIS == 0): f(s) = {s[WIDTH-2:0], ^(s & T)}
// Each enabled clock applies f STRIDE times: state_{k+1} = f^STRIDE(state_k).
// Synchronous active-high reset loads SEED: state_0 = SEED, state_k after k enabled edges.
// TAPS and SEED are 32-bit parameters of which the low WIDTH bits are used (WIDTH 4..32).
module sc_lfsr #(
    parameter int          WIDTH  = 16,
    parameter logic [31:0] TAPS   = 32'h0000_D008,
    parameter logic [31:0] SEED   = 32'h0000_0001,
    parameter int          GALOIS = 1,
    parameter int          STRIDE = 1
) (
    input  logic             clk,
    input  logic             rst,
    input  logic             en,
    output logic [WIDTH-1:0] state
);
    logic [WIDTH-1:0] taps_w;
    logic [WIDTH-1:0] next_state;

    assign taps_w = TAPS[WIDTH-1:0];

    // The loop unrolls into an XOR network: STRIDE steps cost logic depth, not cycles. As a function
    // behind a continuous assignment, Icarus evaluates it once per state change (a loop in always_comb
    // re-triggers on its own variable and made SC co-simulation 7x slower).
    function automatic logic [WIDTH-1:0] advance(input logic [WIDTH-1:0] s, input logic [WIDTH-1:0] t);
        advance = s;
        for (int i = 0; i < STRIDE; i++) begin
            if (GALOIS != 0) advance = (advance >> 1) ^ (advance[0] ? t : '0);
            else advance = {advance[WIDTH-2:0], ^(advance & t)};
        end
    endfunction
    assign next_state = advance(state, taps_w);

    always_ff @(posedge clk) begin
        if (rst) begin
            state <= SEED[WIDTH-1:0];
        end else if (en) begin
            state <= next_state;
        end
    end
endmodule
