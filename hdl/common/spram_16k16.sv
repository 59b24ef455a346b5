// One iCE40 UP5K single-port RAM (SB_SPRAM256KA, 16384 x 16 bits), always on, all nibbles written.
//
// The read is synchronous: `rdata` holds mem[addr] from the cycle after `addr` (with `we` low) is
// presented, and is undefined after a write. SPRAM has no initial contents, so whatever it holds
// must be written after configuration. Synthesis maps the instance directly; co-simulation uses
// yosys's own SB_SPRAM256KA model (share/ice40/cells_sim.v), so both run the same primitive.
module spram_16k16 (
    input  logic        clk,
    input  logic [13:0] addr,
    input  logic        we,
    input  logic [15:0] wdata,
    output logic [15:0] rdata
);
    SB_SPRAM256KA u_spram (
        .ADDRESS(addr), .DATAIN(wdata), .MASKWREN(4'b1111), .WREN(we), .CHIPSELECT(1'b1), .CLOCK(clk),
        .STANDBY(1'b0), .SLEEP(1'b0), .POWEROFF(1'b1), .DATAOUT(rdata)
    );
endmodule
