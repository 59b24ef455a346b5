// 65 port bits: more than the 39 usable IOs of an iCE40 UP5K in the sg48 package.
module wide_ports (
    input  logic        clk,
    input  logic [31:0] a,
    output logic [31:0] q
);
    always_ff @(posedge clk) q <= a + 32'd1;
endmodule
