// sc_stream_bank: LANES comparator SNGs on GENS shared LFSRs, one bit per lane per enabled clock.
//
// Generator g is sc_lfsr #(TAPS = GEN_TAPS[32g +: 32], SEED = GEN_SEED[32g +: 32], Galois, STRIDE); lane l
// is sc_sng #(ROTATE = LANE_ROT[16l +: 16], REVERSE = LANE_REV[16l +: 16]) on generator LANE_GEN[16l +: 16],
// all comparing against the same threshold: LANES bits of one stream per clock. The tables come from
// sc_neurocore.bitstream.allocate_streams; several lanes may share a register through views (snn_sc_core
// uses one register per lane, see sc_neurocore/sim/sc.py for why).
// bits[l] is combinational on the current states; `en` advances every generator by one clock.
module sc_stream_bank #(
    parameter int WIDTH = 16,
    parameter int LANES = 16,
    parameter int GENS = 4,
    parameter int STRIDE = 4,
    parameter logic [32*GENS-1:0] GEN_TAPS = '0,
    parameter logic [32*GENS-1:0] GEN_SEED = '0,
    parameter logic [16*LANES-1:0] LANE_GEN = '0,
    parameter logic [16*LANES-1:0] LANE_ROT = '0,
    parameter logic [16*LANES-1:0] LANE_REV = '0
) (
    input  logic             clk,
    input  logic             rst,
    input  logic             en,
    input  logic [WIDTH-1:0] threshold,
    output logic [LANES-1:0] bits,
    output logic [WIDTH-1:0] state0    // generator 0's register, for traces
);
    logic [WIDTH-1:0] states [GENS];

    genvar g, l;
    generate
        for (g = 0; g < GENS; g = g + 1) begin : g_gen
            sc_lfsr #(
                .WIDTH(WIDTH), .TAPS(GEN_TAPS[32*g +: 32]), .SEED(GEN_SEED[32*g +: 32]), .GALOIS(1), .STRIDE(STRIDE)
            ) u_lfsr (.clk(clk), .rst(rst), .en(en), .state(states[g]));
        end
        for (l = 0; l < LANES; l = l + 1) begin : g_lane
            sc_sng #(
                .WIDTH(WIDTH), .ROTATE(int'(LANE_ROT[16*l +: 16])), .REVERSE(int'(LANE_REV[16*l +: 16]))
            ) u_sng (.state(states[LANE_GEN[16*l +: 16]]), .threshold(threshold), .bit_out(bits[l]));
        end
    endgenerate

    assign state0 = states[0];
endmodule
