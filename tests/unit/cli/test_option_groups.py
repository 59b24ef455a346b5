"""cli.options.with_options: a shared option group stands in a command's signature where its parameter does."""

import typer
from typer.testing import CliRunner

from sc_neurocore.cli import options as opt


def _app() -> tuple[typer.Typer, list]:
    calls = []
    app = typer.Typer()

    @app.command()
    @opt.with_options("model", opt.MODEL_OPTIONS)
    def command(first: int = typer.Option(1, "--first"), model: dict = None,
                last: bool = typer.Option(False, "--last")) -> None:
        calls.append((first, model, last))

    return app, calls


def test_the_group_is_passed_as_one_dict_of_its_options():
    app, calls = _app()
    result = CliRunner().invoke(app, ["--dt", "0.5", "--weight-bits", "6", "--arith", "sc", "--last"])
    assert result.exit_code == 0, result.output
    [(first, model, last)] = calls
    assert (first, last) == (1, True)
    assert model == {"preset": None, "dt": 0.5, "spike_condition": None, "reset": None, "weight_bits": 6,
                     "state_bits": 16, "arith": "sc", "stream_length": 256}


def test_help_lists_the_group_where_its_parameter_stands():
    app, _ = _app()
    text = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"}).output
    flags = ["--first", "--preset", "--dt", "--spike-condition", "--reset", "--weight-bits", "--state-bits",
             "--arith", "--stream-length", "--last"]
    positions = [text.index(flag + " ") for flag in flags]
    assert positions == sorted(positions)
