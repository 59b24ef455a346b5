"""The typer application: global options, command registration and the error boundary."""

import sys
from typing import Optional

import typer

from sc_neurocore import __version__
from . import commands
from .boundary import run_guarded

app = typer.Typer(
    name="sc-neurocore",
    help="Spiking networks from NIR and NumPy to bit-true iCE40 designs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_state = {"debug": False}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"sc-neurocore {__version__}")
        raise typer.Exit()


@app.callback()
def _global_options(
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors."),
    version: Optional[bool] = typer.Option(
        None, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    _state["debug"] = debug


commands.register(app)


def main(argv: Optional[list[str]] = None) -> int:
    """Run the CLI: every ending is an exit code (0, 1, 2, 130, 143) and at most one clean error line."""
    args = list(sys.argv[1:] if argv is None else argv)
    _state["debug"] = "--debug" in args[: args.index("--")] if "--" in args else "--debug" in args
    return run_guarded(lambda: app(args=args, standalone_mode=False, prog_name="sc-neurocore"),
                       lambda: _state["debug"])


if __name__ == "__main__":
    sys.exit(main())
