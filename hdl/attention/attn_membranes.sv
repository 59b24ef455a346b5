// The membranes of the attention neurons (attn_lif, attn_neurons): LANES membranes of AB bits per word in
// block RAM, read-modify-write over two cycles. A word arrives (`in_valid`, `in_addr`, `in_y`); the next
// cycle (`update`) the parent's neuron rule turns `u_word` (its membranes as stored) and `y` (its input)
// into `u_next` and `fire`, which are written back and registered on the outputs.
module attn_membranes #(
    parameter int NU = 16,       // membrane words
    parameter int LANES = 1,
    parameter int YB = 8,        // signed input bits
    parameter int AB = 12,       // signed membrane bits
    parameter int UW = 4         // address bits
) (
    input  logic clk,
    input  logic rst,
    input  logic in_valid,
    input  logic [UW - 1:0] in_addr,
    input  logic [LANES * YB - 1:0] in_y,
    output logic update,
    output logic [LANES * AB - 1:0] u_word,
    output logic [LANES * YB - 1:0] y,
    input  logic [LANES * AB - 1:0] u_next,
    input  logic [LANES - 1:0] fire,
    output logic out_valid,
    output logic [UW - 1:0] out_addr,
    output logic [LANES * AB - 1:0] out_u,
    output logic [LANES - 1:0] out_spikes
);
    logic [LANES * AB - 1:0] umem [0:NU - 1];
    logic [UW - 1:0] addr_r;

    always_ff @(posedge clk) if (in_valid) u_word <= umem[in_addr];
    always_ff @(posedge clk) if (update) umem[addr_r] <= u_next;

    always_ff @(posedge clk) begin
        if (in_valid) begin
            y <= in_y;
            addr_r <= in_addr;
        end
        if (update) begin
            out_addr <= addr_r;
            out_u <= u_next;
            out_spikes <= fire;
        end
        update <= in_valid && !rst;
        out_valid <= update && !rst;
    end
endmodule
