"""Hand-written SystemVerilog library modules (package data)."""
