// The event lists of the schedule shared by snn_core and snn_sc_core (snn_schedule, in snn_schedule.sv).
//
// Event lists: per source (0 the input, population p is source p + 1) the indices that spiked, in arrival
// order, in two banks: this step's and the previous step's (read by recurrent projections). `swap`
// ends a step: the banks trade places and the new current bank is emptied.
//
// Appends go to this step's bank and take effect at once: a list's count includes an append from the
// cycle after it. The memory read is synchronous (iCE40 EBR): `rd_data` follows `rd_en` by two cycles.
module snn_event_lists #(
    parameter int N_LISTS = 2,
    parameter int EV_DEPTH = 2,                        // entries per bank
    parameter logic [16*N_LISTS-1:0] LIST_BASE = '0,   // first entry of list k at [16*k +: 16]
    localparam int EA = $clog2(2 * EV_DEPTH)
) (
    input  logic        clk,
    input  logic        rst,
    input  logic        swap,
    input  logic        add,
    input  logic [15:0] add_list,
    input  logic [15:0] add_value,
    output logic [15:0] input_count, // length of list 0 (the input's) in this step's bank
    input  logic [15:0] rd_list,
    input  logic        rd_prev,     // read the previous step's bank
    output logic [15:0] rd_count,    // length of rd_list in the bank rd_prev selects
    input  logic        rd_open,     // the list that rd_list and rd_prev name is the one rd_en reads
    input  logic        rd_en,
    input  logic [15:0] rd_index,
    output logic [15:0] rd_data
);
    logic [15:0] ev_mem [2 * EV_DEPTH];
    logic cur_bank;
    logic [15:0] count0 [N_LISTS];
    logic [15:0] count1 [N_LISTS];
    logic [EA-1:0] rd_base, raddr, waddr;
    logic [15:0] wdata;
    logic we;

    wire rd_bank = rd_prev ? ~cur_bank : cur_bank;
    assign rd_count = rd_bank ? count1[rd_list] : count0[rd_list];
    assign input_count = cur_bank ? count1[0] : count0[0];
    wire [15:0] add_count = cur_bank ? count1[add_list] : count0[add_list];

    always_ff @(posedge clk) begin
        rd_data <= ev_mem[raddr];
        if (we) ev_mem[waddr] <= wdata;
    end

    always_ff @(posedge clk) begin
        we <= 1'b0;
        if (rd_open) rd_base <= EA'(LIST_BASE[16*rd_list +: 16] + (rd_bank ? 16'(EV_DEPTH) : 16'd0));
        if (rd_en) raddr <= EA'(rd_base + rd_index);
        if (rst) begin
            cur_bank <= 1'b0;
            for (int k = 0; k < N_LISTS; k++) begin
                count0[k] <= '0;
                count1[k] <= '0;
            end
        end else if (swap) begin
            cur_bank <= ~cur_bank;
            for (int k = 0; k < N_LISTS; k++) begin
                if (cur_bank) count0[k] <= '0;
                else count1[k] <= '0;
            end
        end else if (add) begin
            waddr <= EA'(LIST_BASE[16*add_list +: 16] + (cur_bank ? 16'(EV_DEPTH) : 16'd0) + add_count);
            wdata <= add_value;
            we <= 1'b1;
            if (cur_bank) count1[add_list] <= count1[add_list] + 1'b1;
            else count0[add_list] <= count0[add_list] + 1'b1;
        end
    end
endmodule
