"""Command-line interface of sc-neurocore (installed as sc_neurocore.cli)."""
