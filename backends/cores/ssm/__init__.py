"""The spiky state-space layer core: design (emitter), fit, trace, core (SsmCore), templates/."""
