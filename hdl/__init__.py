"""Hand-written, parameterised SystemVerilog library modules, grouped by core (snn/, sc/, attention/, ssm/,
cpg/, transformer/, common/); builds copy the ones they need by file name (backends.build.templates)."""
