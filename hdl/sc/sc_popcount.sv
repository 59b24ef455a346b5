// sc_popcount: number of ones in a LANES-bit word (combinational), the parallel counter of an SC dot
// product. Groups of four bits are counted by one 4-input LUT per output bit; the group counts are then
// added, so the adder chain is LANES/4 long instead of LANES.
module sc_popcount #(
    parameter int LANES = 16,
    localparam int CW = $clog2(LANES + 1),
    localparam int GROUPS = (LANES + 3) / 4
) (
    input  logic [LANES-1:0] bits,
    output logic [CW-1:0]    count
);
    function automatic logic [2:0] count4(input logic [3:0] b);
        count4 = 3'(b[0]) + 3'(b[1]) + 3'(b[2]) + 3'(b[3]);
    endfunction

    function automatic logic [CW-1:0] add_groups(input logic [3*GROUPS-1:0] groups);
        add_groups = '0;
        for (int k = 0; k < GROUPS; k++) add_groups = add_groups + CW'(groups[3*k +: 3]);
    endfunction

    logic [4*GROUPS-1:0] padded;
    logic [3*GROUPS-1:0] group_counts;
    assign padded = (4 * GROUPS)'(bits);

    genvar g;
    generate
        for (g = 0; g < GROUPS; g = g + 1) begin : g_group
            assign group_counts[3*g +: 3] = count4(padded[4*g +: 4]);
        end
    endgenerate

    assign count = add_groups(group_counts);
endmodule
