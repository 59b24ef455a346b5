// Deliberately malformed: yosys must reject it.
module broken (input logic clk, output logic q)
    always_ff @(posedge clk) q <= ~q
endmodule
