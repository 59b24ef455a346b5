// Spiky state-space layer (diagonal S4D, ZOH, fixed point) with an integrate-and-fire gate, folded onto
// LANES multipliers. B, C, the decay a and the state h live in block RAM; sequence per time step:
//   load:    the host writes DM input words (XB bits) while `busy` is low; the last one starts the step
//   update:  NS / LANES rows of DM + 3 cycles: h = sat(rnd(a h >> FA) + rnd(sum_m B x >> SU))
//   readout: DM / LANES rows of NS + 2 cycles: v += sum_n C h; s = v >= THETA; v -= s THETA; v = sat(v)
// Out: one word of LANES spikes per readout row (outputs row * LANES + lane). After reset h = v = 0.
// Per lane one signed MA x MB multiplier (an SB_MAC16 on a UP5K) serves the decay, B x and C h in turn.
module ssm_layer #(
    parameter int DM = 32,
    parameter int NS = 64,
    parameter int LANES = 1,
    parameter int XB = 8,
    parameter int WB = 8,
    parameter int HB = 16,
    parameter int AB = 30,
    parameter int VB = 32,
    parameter int SU = 4,
    parameter int THETA = 1024,
    parameter A_FILE = "ssm_a.mem",
    parameter B_FILE = "ssm_b.mem",
    parameter C_FILE = "ssm_c.mem"
) (
    input  logic clk,
    input  logic rst,
    input  logic in_valid,
    input  logic [XB - 1:0] in_data,
    output logic busy,
    output logic out_valid,
    output logic [LANES - 1:0] out_spikes
);
    localparam int FA = 15;          // decay a is Q1.15 (16-bit operand)
    localparam int MA = 16;          // multiplier operand widths: a or a weight / h or x
    localparam int MB = HB > XB ? HB : XB;
    localparam int RU = NS / LANES;  // update rows
    localparam int RR = DM / LANES;  // readout rows
    localparam int KMAX = DM + 2 > NS + 1 ? DM + 2 : NS + 1;
    localparam int ROWS = RU > RR ? RU : RR;
    localparam logic [1:0] IDLE = 2'd0, UPD = 2'd1, RD = 2'd2;

    logic [XB - 1:0] xmem [0:DM - 1];
    logic [LANES * MA - 1:0] amem [0:RU - 1];
    logic [LANES * WB - 1:0] bmem [0:RU * DM - 1];
    logic [LANES * WB - 1:0] cmem [0:RR * NS - 1];
    logic [LANES * HB - 1:0] hmem [0:RU - 1];
    logic [LANES * VB - 1:0] vmem [0:RR - 1];
    initial begin
        $readmemh(A_FILE, amem);
        $readmemh(B_FILE, bmem);
        $readmemh(C_FILE, cmem);
    end

    logic [1:0] phase;
    logic first;  // the first step after reset reads h and v as zero
    logic [$clog2(KMAX + 1) - 1:0] k;
    logic [$clog2(ROWS + 1) - 1:0] row;
    logic [$clog2(DM + 1) - 1:0] ld_addr;
    logic [$clog2(RU * DM + 1) - 1:0] b_ptr;  // address counters: no multiplier for row * DM
    logic [$clog2(RR * NS + 1) - 1:0] c_ptr;
    logic [$clog2(RU + 1) - 1:0] hw;  // readout: h word and lane of state n = k
    logic [$clog2(LANES + 1) - 1:0] hs, hs_r;
    logic upd_end, rd_end;

    logic [XB - 1:0] x_q;
    logic [LANES * MA - 1:0] a_q;
    logic [LANES * WB - 1:0] w_q, b_q, c_q;
    logic [LANES * HB - 1:0] h_q, h_new;
    logic [LANES * VB - 1:0] v_q, v_new;
    logic [LANES - 1:0] fire;

    assign busy = phase != IDLE;
    assign upd_end = phase == UPD && k == DM + 2;
    assign rd_end = phase == RD && k == NS + 1;
    assign w_q = phase == UPD ? b_q : c_q;

    always_ff @(posedge clk) begin
        if (in_valid && !busy) xmem[ld_addr] <= in_data;
        x_q <= xmem[k - 1'b1];
        a_q <= amem[row];
        b_q <= bmem[b_ptr];
        c_q <= cmem[c_ptr];
        b_ptr <= phase != UPD ? '0 : b_ptr + (k >= 1 && k <= DM);
        c_ptr <= phase != RD ? '0 : c_ptr + (k < NS);
        h_q <= hmem[phase == UPD ? row : hw];
        v_q <= vmem[row];
        hs_r <= hs;
        if (upd_end) hmem[row] <= h_new;
        if (rd_end) vmem[row] <= v_new;
    end

    always_ff @(posedge clk) begin
        out_valid <= rd_end;
        if (rd_end) out_spikes <= fire;
        if (rst) begin
            phase <= IDLE;
            first <= 1'b1;
            ld_addr <= '0;
            k <= '0;
            row <= '0;
            out_valid <= 1'b0;
        end else if (phase == IDLE) begin
            if (in_valid) begin
                ld_addr <= ld_addr == DM - 1 ? '0 : ld_addr + 1'b1;
                if (ld_addr == DM - 1) phase <= UPD;
            end
        end else begin
            k <= upd_end || rd_end ? '0 : k + 1'b1;
            if (upd_end) begin
                row <= row == RU - 1 ? '0 : row + 1'b1;
                if (row == RU - 1) phase <= RD;
            end
            if (rd_end) begin
                row <= row == RR - 1 ? '0 : row + 1'b1;
                if (row == RR - 1) begin
                    phase <= IDLE;
                    first <= 1'b0;
                end
            end
        end
        // readout walks the states n = k as (word hw, lane hs)
        if (phase != RD || k == NS + 1) begin
            hw <= '0;
            hs <= '0;
        end else if (hs == LANES - 1) begin
            hw <= hw + 1'b1;
            hs <= '0;
        end else begin
            hs <= hs + 1'b1;
        end
    end

    genvar l;
    generate
        for (l = 0; l < LANES; l++) begin : lane
            logic signed [MA - 1:0] op_a;
            logic signed [MB - 1:0] op_b;
            logic signed [MA + MB - 1:0] prod;
            logic signed [AB - 1:0] prod_a, acc;
            logic signed [AB:0] acc_x, acc_s;
            logic signed [HB:0] hd;
            logic signed [AB + 1:0] hsum;
            logic signed [HB - 1:0] h_old, h_sel;
            logic signed [VB - 1:0] v_old;
            logic signed [VB:0] vsum, vnext, th;
            logic decay;

            assign decay = phase == UPD && k == 1;
            assign h_old = first ? '0 : $signed(h_q[l * HB +: HB]);
            assign h_sel = $signed(h_q[hs_r * HB +: HB]);
            assign op_a = decay ? $signed(a_q[l * MA +: MA]) : $signed(w_q[l * WB +: WB]);
            assign op_b = decay ? h_old : (phase == UPD ? $signed(x_q) : h_sel);
            assign prod = op_a * op_b;
            assign prod_a = prod;
            // rounding right shifts: (p + 2^(s-1)) >>> s
            assign acc_x = acc;
            assign acc_s = SU == 0 ? acc_x : (acc_x + $signed((AB + 1)'(SU == 0 ? 0 : 1 << (SU - 1)))) >>> SU;
            assign hsum = hd + acc_s;
            assign h_new[l * HB +: HB] = &hsum[AB + 1:HB - 1] || ~|hsum[AB + 1:HB - 1] ? hsum[HB - 1:0]
                                         : {hsum[AB + 1], {(HB - 1){~hsum[AB + 1]}}};
            assign th = THETA;
            assign v_old = first ? '0 : $signed(v_q[l * VB +: VB]);
            assign vsum = v_old + acc;
            assign fire[l] = vsum >= th;
            assign vnext = fire[l] ? vsum - th : vsum;
            assign v_new[l * VB +: VB] = vnext[VB] == vnext[VB - 1] ? vnext[VB - 1:0]
                                         : {vnext[VB], {(VB - 1){~vnext[VB]}}};

            always_ff @(posedge clk) begin
                if (decay) hd <= (prod + $signed((MA + MB)'(1 << (FA - 1)))) >>> FA;
                if (phase == UPD ? k == 1 : k == 0) acc <= '0;
                else if (phase == UPD ? k >= 2 : k >= 1) acc <= acc + prod_a;
            end
        end
    endgenerate
endmodule
