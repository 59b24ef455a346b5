"""The seed spike-driven attention layer core: design (emitter), trace, fit, core (AttentionCore), templates/."""
