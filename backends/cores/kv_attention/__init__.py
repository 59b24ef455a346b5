"""The SSA, SDSA and A²OS²A attention-variant cores: design (emitter), trace, fit, core (SsaCore, SdsaCore, A2os2aCore), templates/."""
