// UART receiver, 8N1, LSB first, one clock domain: the line runs at clk / CLKS_PER_BIT.
//
// The pin passes a 2-FF synchroniser (it is asynchronous to clk); each bit is sampled once, in its
// middle, counted from the falling edge of the start bit. A start bit that is high again at its middle
// is a glitch and ignored. A low stop bit still delivers the byte, flagged `frame_error`, and the
// receiver then waits for the line to go high, so a held-low line (a break) counts as one error.
module uart_rx #(
    parameter int CLKS_PER_BIT = 4  // at least 4: a half bit of 2 clocks after the synchroniser
) (
    input  logic       clk,
    input  logic       rst,
    input  logic       rx,
    output logic       valid,        // one-cycle strobe: `data` and `frame_error` hold a received byte
    output logic [7:0] data,
    output logic       frame_error
);
    localparam int CW = $clog2(CLKS_PER_BIT + 1);
    localparam logic [CW-1:0] HALF = CW'(CLKS_PER_BIT / 2 - 1);
    localparam logic [CW-1:0] FULL = CW'(CLKS_PER_BIT - 1);

    localparam logic [2:0] IDLE = 3'd0, START = 3'd1, BITS = 3'd2, STOP = 3'd3, BREAK = 3'd4;
    logic [2:0] state;
    logic [1:0] sync;  // sync[1] is the synchronised line
    logic [CW-1:0] count;
    logic [2:0] bit_index;

    always_ff @(posedge clk) begin
        sync <= {sync[0], rx};
        valid <= 1'b0;
        if (rst) begin
            sync <= 2'b11;
            state <= IDLE;
            frame_error <= 1'b0;
        end else begin
            case (state)
                IDLE: if (!sync[1]) begin
                    state <= START;
                    count <= HALF;
                end
                START: if (count != 0) count <= count - 1'b1;
                    else if (sync[1]) state <= IDLE;  // a glitch, not a start bit
                    else begin
                        state <= BITS;
                        count <= FULL;
                        bit_index <= 3'd0;
                    end
                BITS: if (count != 0) count <= count - 1'b1;
                    else begin
                        data <= {sync[1], data[7:1]};
                        count <= FULL;
                        bit_index <= bit_index + 1'b1;
                        if (bit_index == 3'd7) state <= STOP;
                    end
                STOP: if (count != 0) count <= count - 1'b1;
                    else begin
                        // Back to IDLE at the middle of the stop bit, ready for a start bit right after it.
                        valid <= 1'b1;
                        frame_error <= !sync[1];
                        state <= sync[1] ? IDLE : BREAK;
                    end
                BREAK: if (sync[1]) state <= IDLE;
                default: state <= IDLE;
            endcase
        end
    end
endmodule
