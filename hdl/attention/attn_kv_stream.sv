// Narrow host port of the attention-variant cores (attn_kv_layer, sdsa_core): the host streams each
// time step's load words in a fixed order, one word per clock while `busy` is low, and this module
// turns them into the core's (sel, addr) writes, then starts the core. Sections in order: sel 0 of
// WORDS words, sel 1 of KWORDS words, sel 2 and (SECTIONS = 4) sel 3 of WORDS words each, every
// section from address 0 up. The step after the last word is started with `first` on every T-th step
// (a new sequence: membranes read as zero). `busy` rises the clock after the last word and stays high
// until the core is done; a word sent while `busy` is high is ignored.
module attn_kv_stream #(
    parameter int T = 4,         // time steps of a sequence
    parameter int DW = 8,        // host word bits
    parameter int AW = 8,        // load address bits
    parameter int WORDS = 16,    // words of sections 0, 2 (and 3)
    parameter int KWORDS = 16,   // words of section 1
    parameter int SECTIONS = 3   // 3 or 4
) (
    input  logic clk,
    input  logic rst,
    input  logic in_valid,
    input  logic [DW - 1:0] in_data,
    input  logic core_busy,
    output logic busy,
    output logic wr_en,
    output logic [1:0] wr_sel,
    output logic [AW - 1:0] wr_addr,
    output logic [DW - 1:0] wr_data,
    output logic start,
    output logic first
);
    localparam int SW = $clog2(T > 1 ? T : 2);

    logic [1:0] sel;
    logic [AW - 1:0] addr;
    logic [SW - 1:0] step;
    logic accept, last_word, last_section;

    assign busy = start || core_busy;
    assign first = step == '0;  // latched by the core with `start`
    assign accept = in_valid && !busy;
    assign last_word = addr == AW'((sel == 2'd1 ? KWORDS : WORDS) - 1);
    assign last_section = sel == 2'(SECTIONS - 1);

    always_ff @(posedge clk) begin
        wr_en <= accept && !rst;
        wr_sel <= sel;
        wr_addr <= addr;
        wr_data <= in_data;
        // the core reads its memories from the second clock after `start`: the last write has landed
        start <= accept && last_word && last_section && !rst;
        if (rst) begin
            sel <= '0;
            addr <= '0;
            step <= '0;
        end else begin
            if (accept) begin
                addr <= last_word ? '0 : addr + 1'b1;
                if (last_word) sel <= last_section ? 2'd0 : sel + 1'b1;
            end
            if (start) step <= step == SW'(T - 1) ? '0 : step + 1'b1;
        end
    end
endmodule
