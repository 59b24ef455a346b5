"""The CPG-PE position encoder core: design (emitter), fit, trace, core (CpgCore), templates/."""
