// sc_mux_add: LANES independent INPUTS-to-1 multiplexers (combinational), the RTL twin of
// sc_neurocore.bitstream.mux_add(streams, select). On each cycle lane l outputs stream
// streams[l*INPUTS + select_l] with select_l = select[l*SW +: SW]; an index outside 0..INPUTS-1 gives 0
// (the library rejects such indices). With select_l uniform over 0..INPUTS-1 and independent of the
// inputs, P(y_l = 1) = (1/INPUTS) sum_i p_i: the scaled adder.
module sc_mux_add #(
    parameter int LANES  = 1,
    parameter int INPUTS = 4,
    localparam int SW = (INPUTS > 1) ? $clog2(INPUTS) : 1
) (
    input  logic [LANES*INPUTS-1:0] streams,
    input  logic [LANES*SW-1:0]     select,
    output logic [LANES-1:0]        y
);
    function automatic logic pick(input logic [INPUTS-1:0] bits, input logic [SW-1:0] index);
        pick = 1'b0;
        for (int i = 0; i < INPUTS; i++) if (index == SW'(i)) pick = bits[i];
    endfunction

    genvar l;
    generate
        for (l = 0; l < LANES; l = l + 1) begin : g_lane
            assign y[l] = pick(streams[l*INPUTS +: INPUTS], select[l*SW +: SW]);
        end
    endgenerate
endmodule
