// Small design for the EDA flow tests: a counter addressing a $readmemh-initialised ROM,
// so that synthesis has to infer block RAM (EBR) as well as LUTs, carries and flip-flops.
module counter_rom (
    input  logic       clk,
    input  logic       rst,
    output logic [7:0] data,
    output logic       led
);
    logic [7:0]  rom [0:511];
    logic [23:0] count;

    initial $readmemh("counter_rom.mem", rom);

    always_ff @(posedge clk) begin
        if (rst) count <= '0;
        else     count <= count + 24'd1;
        data <= rom[count[8:0]];
    end

    assign led = count[23];
endmodule
