"""Hardware backends: SystemVerilog emission, the iCE40 flow, tools and co-simulation."""
