// sc_gate_array: LANES independent SC multipliers, one gate per lane (combinational), the RTL twin of
// sc_neurocore.bitstream.sc_and (XNOR = 0: y = a & b, unipolar multiply p_a p_b) and sc_xnor
// (XNOR = 1: y = ~(a ^ b), bipolar multiply x_a x_b). Bit k of each stream is presented on cycle k.
module sc_gate_array #(
    parameter int LANES = 8,
    parameter bit XNOR  = 1'b0
) (
    input  logic [LANES-1:0] a,
    input  logic [LANES-1:0] b,
    output logic [LANES-1:0] y
);
    generate
        if (XNOR) begin : g_xnor
            assign y = ~(a ^ b);
        end else begin : g_and
            assign y = a & b;
        end
    endgenerate
endmodule
