"""The subcommands, one module each; `register` adds them to the typer app."""

import importlib

# Each module defines `command(...)` with typer parameters; its name is the subcommand's.
_COMMAND_MODULES = ["simulate", "train", "compile", "deploy", "report", "doctor", "flash", "run"]


def register(app) -> None:
    for name in _COMMAND_MODULES:
        module = importlib.import_module(f"sc_neurocore.cli.commands.{name}")
        app.command(name=name, help=module.__doc__)(module.command)
