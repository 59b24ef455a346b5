"""The typer application: global options, command registration and the error boundary."""

import sys
from typing import Optional

import typer

from sc_neurocore import __version__
from sc_neurocore.errors import ScNeurocoreError

from . import commands

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
    """Run the CLI; known errors become one line on stderr and exit code 2 (bad input) or 1."""
    try:
        app(args=argv, standalone_mode=False)
    except ScNeurocoreError as error:
        if _state["debug"]:
            raise
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    except typer.Exit as done:
        return done.exit_code
    except (typer.Abort, KeyboardInterrupt):
        print("error: interrupted", file=sys.stderr)
        return 130
    except _click_usage_errors() as error:
        error.show()
        return 2
    return 0


def _click_usage_errors():
    import click

    return click.exceptions.ClickException


if __name__ == "__main__":
    sys.exit(main())
