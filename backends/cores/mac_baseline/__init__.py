"""The MAC/softmax attention baseline core: design (emitter), trace, core (MacBaselineCore, netlist co-simulation), templates/."""
