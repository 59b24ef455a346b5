// CRC-16/CCITT-FALSE (polynomial 0x1021, initial 0xFFFF, no reflection, no final xor), one byte per clock.
module crc16_ccitt (
    input  logic        clk,
    input  logic        clear,  // back to 0xFFFF (wins over `enable`)
    input  logic        enable,
    input  logic [7:0]  data,
    output logic [15:0] crc
);
    function automatic logic [15:0] next_crc(input logic [15:0] current, input logic [7:0] data_in);
        logic [15:0] value;
        integer i;
        value = current ^ {data_in, 8'h00};
        for (i = 0; i < 8; i = i + 1) begin
            if (value[15]) value = {value[14:0], 1'b0} ^ 16'h1021;
            else value = {value[14:0], 1'b0};
        end
        next_crc = value;
    endfunction

    always_ff @(posedge clk) begin
        if (clear) crc <= 16'hFFFF;
        else if (enable) crc <= next_crc(crc, data);
    end
endmodule
