// The host stream port of every core (docs/host_link.md section 1): valid/ready words in and out around a
// core that cannot be stalled once it computes.
//
// A "unit" is what one accepted input word can make the core emit: for an event core (UNIT_WORDS = 0) the
// word with its end-of-step bit (the top bit) set, for a dense core (UNIT_WORDS > 0) the last word of each
// UNIT_WORDS-word group after the LOAD_WORDS load words. A word is taken only when the core is ready, no
// unit is in flight and the output FIFO has room for BURST words (the most one unit emits); the unit then
// holds a reservation that its output words count down (an event core's end-of-step word ends it), so
// output words that trail the core's ready never race the next unit. The FIFO takes every core word
// without back-pressure; a word arriving into a full FIFO, or beyond a reservation, sets the sticky
// overflow bit (a broken burst bound, never expected).
module stream_adapter #(
    parameter int IN_BITS = 8,
    parameter int OUT_BITS = 8,
    parameter int DEPTH = 16,       // output FIFO words, a power of two, at least BURST
    parameter int BURST = 1,        // most output words one unit emits
    parameter int LOAD_WORDS = 0,   // dense: words taken once after reset before the first unit
    parameter int UNIT_WORDS = 0    // dense: input words of one unit; 0: event core (top bit ends a unit)
) (
    input  logic                clk,
    input  logic                rst,
    // host side
    input  logic                in_valid,
    output logic                in_ready,
    input  logic [IN_BITS-1:0]  in_data,
    output logic                out_valid,
    input  logic                out_ready,
    output logic [OUT_BITS-1:0] out_data,
    output logic [15:0]         status,
    // core side
    output logic                core_in_valid,
    output logic [IN_BITS-1:0]  core_in_data,
    input  logic                core_ready,      // the core takes a word this cycle if offered
    input  logic                core_busy,
    input  logic                core_out_valid,
    input  logic [OUT_BITS-1:0] core_out_data
);
    localparam int AW = DEPTH > 1 ? $clog2(DEPTH) : 1;
    localparam int RW = $clog2(BURST + 1);
    localparam bit EVENTS = UNIT_WORDS == 0;
    localparam int LW = $clog2(LOAD_WORDS + 2);
    localparam int UW = $clog2(UNIT_WORDS + 2);

    // ---- input: what a word does to the reservation ----------------------------------------------
    logic [RW-1:0] reserved;          // output words the unit in flight may still emit
    logic [AW:0] stored;              // words in the FIFO memory
    logic [LW-1:0] loaded;            // dense: load words taken so far (saturates at LOAD_WORDS)
    logic [UW-1:0] unit_word;         // dense: words of the current unit taken so far
    logic overflow;

    wire room = stored <= (AW + 1)'(DEPTH - BURST);
    assign in_ready = core_ready && reserved == '0 && room && !rst;
    wire take = in_valid && in_ready;
    wire loading = !EVENTS && loaded != LW'(LOAD_WORDS);
    wire ends_unit = EVENTS ? in_data[IN_BITS-1] : !loading && unit_word == UW'(UNIT_WORDS - 1);
    assign core_in_valid = take;
    assign core_in_data = in_data;

    always_ff @(posedge clk) begin
        if (rst) begin
            reserved <= '0;
            loaded <= '0;
            unit_word <= '0;
        end else begin
            if (take && loading) loaded <= loaded + 1'b1;
            if (take && !loading && !EVENTS) unit_word <= ends_unit ? '0 : unit_word + 1'b1;
            // a unit starts only when none is in flight, so a start and a core word never meet
            if (take && ends_unit) reserved <= RW'(BURST);
            else if (core_out_valid && reserved != '0)
                reserved <= EVENTS && core_out_data[OUT_BITS-1] ? '0 : reserved - 1'b1;
        end
    end

    // ---- output FIFO: a synchronous-read memory and a first-word-through register ------------------
    // Up to SMALL_BITS it stays in logic cells: a whole 4 kbit block RAM for a few words would cost
    // more of the scarce EBR than the LUTs it saves; larger FIFOs map to block RAM.
    localparam int SMALL_BITS = 128;
    logic [AW-1:0] wr_ptr, rd_ptr;
    wire full = stored == (AW + 1)'(DEPTH);
    wire write = core_out_valid && !full;
    wire pop = stored != '0 && (!out_valid || out_ready);  // refill the output register

    if (DEPTH * OUT_BITS <= SMALL_BITS) begin : fifo_in_logic
        (* ram_style = "logic" *) logic [OUT_BITS-1:0] mem [DEPTH];
        always_ff @(posedge clk) begin
            if (write) mem[wr_ptr] <= core_out_data;
            if (pop) out_data <= mem[rd_ptr];
        end
    end else begin : fifo_in_ebr
        logic [OUT_BITS-1:0] mem [DEPTH];
        always_ff @(posedge clk) begin
            if (write) mem[wr_ptr] <= core_out_data;
            if (pop) out_data <= mem[rd_ptr];
        end
    end

    always_ff @(posedge clk) begin
        if (rst) begin
            wr_ptr <= '0;
            rd_ptr <= '0;
            stored <= '0;
            out_valid <= 1'b0;
            overflow <= 1'b0;
        end else begin
            if (write) wr_ptr <= wr_ptr + 1'b1;
            if (pop) rd_ptr <= rd_ptr + 1'b1;
            stored <= stored + (write ? 1'b1 : 1'b0) - (pop ? 1'b1 : 1'b0);
            if (pop) out_valid <= 1'b1;
            else if (out_ready) out_valid <= 1'b0;
            if (core_out_valid && (full || reserved == '0)) overflow <= 1'b1;
        end
    end

    assign status = {14'd0, overflow, core_busy || reserved != '0 || stored != '0 || out_valid};
endmodule
