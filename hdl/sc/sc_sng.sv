// sc_sng: comparator stochastic number generator, bit-true twin of sc_neurocore.bitstream.sng.
//
// Combinational on the generator's current state (state_k, before the k-th update):
//   rotated = rotate-left(state, ROTATE)            (ROTATE in 0..WIDTH-1)
//   word    = REVERSE != 0 ? bit-reverse(rotated) : rotated
//   bit_out = (word <= threshold)                    threshold = rint(p * (2^WIDTH - 1))
// Several sc_sng may share one sc_lfsr with different ROTATE/REVERSE views (see allocate_streams).
module sc_sng #(
    parameter int WIDTH   = 16,
    parameter int ROTATE  = 0,
    parameter int REVERSE = 0
) (
    input  logic [WIDTH-1:0] state,
    input  logic [WIDTH-1:0] threshold,
    output logic             bit_out
);
    logic [WIDTH-1:0] rotated;
    logic [WIDTH-1:0] word;

    generate
        if (ROTATE == 0) begin : g_no_rotate
            assign rotated = state;
        end else begin : g_rotate
            assign rotated = {state[WIDTH-1-ROTATE:0], state[WIDTH-1:WIDTH-ROTATE]};
        end
    endgenerate

    genvar i;
    generate
        for (i = 0; i < WIDTH; i = i + 1) begin : g_word
            assign word[i] = (REVERSE != 0) ? rotated[WIDTH-1-i] : rotated[i];
        end
    endgenerate

    assign bit_out = (word <= threshold);
endmodule
