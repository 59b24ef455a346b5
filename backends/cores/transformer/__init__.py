"""The trained spiking transformer's engine core: design (stage table, images, emitter), fit, trace, core
(TransformerCore), templates/."""
