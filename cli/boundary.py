"""The CLI's error boundary: every way a command can end becomes an exit code and at most a few clean lines.

- a known error (`ScNeurocoreError`): one line on stderr, exit 2 for bad input, 1 otherwise (a tool
  failure adds its log path and the log's last lines);
- a usage error from typer/click (unknown command or option, a missing argument, `--steps ten`):
  one line naming the command, exit 2; this holds for typer's bundled click and for a standalone one;
- Ctrl-C (SIGINT) and SIGTERM: raised as `Interrupted` (not KeyboardInterrupt, which typer would turn
  into a silent exit code), so every `finally`/`except BaseException` in the library stops its tool
  processes and removes temporary files; one line, exit 130 / 143;
- an operating-system error (full disk, permissions): one line naming the file, exit 1;
- anything else is a bug: one line saying so, exit 1; `--debug` shows the traceback.
"""

from __future__ import annotations

import contextlib
import errno
import signal
import sys
import threading
import warnings

from sc_neurocore.atomic import output_error, release_locks
from sc_neurocore.errors import ScNeurocoreError, ToolError
from sc_neurocore.names import one_line

__all__ = ["Interrupted", "run_guarded", "usage_error_types"]

class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived; `signum` says which."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

def _raise_interrupted(signum, _frame):
    # Further signals of either kind are ignored while the stack unwinds and tools are stopped.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Interrupted(signum)

@contextlib.contextmanager
def _signals():
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGXFSZ)}
    signal.signal(signal.SIGINT, _raise_interrupted)
    signal.signal(signal.SIGTERM, _raise_interrupted)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a file-size limit then fails the write (EFBIG) instead of killing us
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

def _show_warning(message, category, filename, lineno, file=None, line=None):
    print(f"warning: {one_line(message)}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def _warnings():
    """Our warnings as one line each; NumPy's arithmetic warnings (overflow in a value the library then
    refuses, say) are not shown: every result they could affect is checked explicitly."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.showwarning = _show_warning
        yield


def usage_error_types() -> tuple[type[BaseException], ...]:
    """ClickException of typer's bundled click and of a standalone click, whichever exist."""
    import typer

    types = {cls for cls in type.mro(typer.BadParameter) if cls.__name__ == "ClickException"}
    try:
        import click

        types.add(click.exceptions.ClickException)
    except ImportError:
        pass
    return tuple(types)

def _exit_types() -> tuple[type[BaseException], ...]:
    import typer

    types = {typer.Exit}
    try:
        import click

        types.add(click.exceptions.Exit)
    except ImportError:
        pass
    return tuple(types)

def _abort_types() -> tuple[type[BaseException], ...]:
    import typer

    types = {typer.Abort}
    try:
        import click

        types.add(click.exceptions.Abort)
    except ImportError:
        pass
    return tuple(types)

def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)

def _known(error: ScNeurocoreError) -> str:
    if isinstance(error, ToolError):  # a tool failure carries its log's last lines, each made inert
        first, *rest = str(error).splitlines() or [""]
        return "\n".join([f"error: {one_line(first)}", *(one_line(line) for line in rest)])
    return f"error: {one_line(error)}"

def _usage(error) -> str:
    ctx = getattr(error, "ctx", None)
    command = ctx.command_path if ctx is not None and ctx.command_path else "sc-neurocore"
    if type(error).__name__ == "NoArgsIsHelpError":
        return f"error: {command}: no command given; run `{command} --help` to list them"
    return f"error: {command}: {one_line(error.format_message())} (see `{command} --help`)"

def run_guarded(run, debug) -> int:
    """Call `run()` (the typer app) and turn every ending into an exit code; `debug()` says whether to re-raise."""
    usage, exits, aborts = usage_error_types(), _exit_types(), _abort_types()
    try:
        with _signals(), _warnings():
            try:
                result = run()
                return result if isinstance(result, int) and not isinstance(result, bool) else 0
            finally:
                release_locks()
    except Interrupted as stop:
        name = "interrupted" if stop.signum == signal.SIGINT else "terminated (SIGTERM)"
        _say(f"error: {name}; tool processes were stopped and no output was changed")
        return 128 + stop.signum
    except KeyboardInterrupt:
        _say("error: interrupted; tool processes were stopped and no output was changed")
        return 130
    except ScNeurocoreError as error:
        if debug():
            raise
        _say(_known(error))
        return error.exit_code
    except exits as done:
        return int(getattr(done, "exit_code", 0) or 0)
    except aborts:
        _say("error: aborted")
        return 1
    except usage as error:
        if debug():
            raise
        _say(_usage(error))
        return 2 if getattr(error, "exit_code", 2) in (None, 2) else int(error.exit_code)
    except OSError as error:
        if debug():
            raise
        if error.errno == errno.EPIPE:
            return 1
        where = error.filename if error.filename is not None else "an output"
        _say(f"error: {one_line(output_error(where, error))}")
        return 1
    except MemoryError:
        _say("error: out of memory; reduce the input size, --steps or --batch")
        return 1
    except RecursionError:
        if debug():
            raise
        _say("error: the input is nested too deeply to process")
        return 2
    except Exception as error:  # a bug: still one line, and the way to see more
        if debug():
            raise
        _say(f"error: internal error ({type(error).__name__}: {one_line(error, 300)}); "
             "rerun with --debug for the traceback and report it")
        return 1
