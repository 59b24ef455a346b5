// UART transmitter, 8N1, LSB first: `start` with `data` while `busy` is low sends one byte; the line
// idles high. Each bit lasts CLKS_PER_BIT clocks, and `busy` falls in the last clock of the stop bit, so
// bytes can follow each other with no gap.
module uart_tx #(
    parameter int CLKS_PER_BIT = 4
) (
    input  logic       clk,
    input  logic       rst,
    input  logic       start,
    input  logic [7:0] data,
    output logic       busy,
    output logic       tx
);
    localparam int CW = $clog2(CLKS_PER_BIT + 1);
    localparam logic [CW-1:0] FULL = CW'(CLKS_PER_BIT - 1);

    logic [8:0] shift;  // the data bits, then the stop bit, shifted out from bit 0
    logic [3:0] bits_left;
    logic [CW-1:0] count;

    assign busy = bits_left != 4'd0 || count != 0;

    always_ff @(posedge clk) begin
        if (rst) begin
            tx <= 1'b1;
            bits_left <= 4'd0;
            count <= 0;
        end else if (count != 0) begin
            count <= count - 1'b1;
        end else if (bits_left != 4'd0) begin
            tx <= shift[0];
            shift <= {1'b1, shift[8:1]};
            bits_left <= bits_left - 1'b1;
            count <= FULL;
        end else if (start) begin
            tx <= 1'b0;  // the start bit
            shift <= {1'b1, data};
            bits_left <= 4'd9;
            count <= FULL;
        end
    end
endmodule
