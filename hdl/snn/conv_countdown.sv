// One loop counter of snn_conv_core's window walk, counting down so that `last` is a flip-flop: the
// walk's enables are ANDs of these flags rather than compares behind adders (the core's critical path).
//
// `start` (re)loads `count` iterations; each `step` advances, and a step on the last iteration reloads.
// `last` is high during the counter's final iteration; `count` must be at least 1 and stable meanwhile.
module conv_countdown (
    input  logic        clk,
    input  logic        start,
    input  logic        step,
    input  logic [15:0] count,
    output logic        last
);
    logic [15:0] remaining;  // iterations after the current one
    always_ff @(posedge clk) begin
        if (start || (step && last)) begin
            remaining <= count - 1'b1;
            last <= count == 16'd1;
        end else if (step) begin
            remaining <= remaining - 1'b1;
            last <= remaining == 16'd1;
        end
    end
endmodule
