"""The `famlink` command: registers each command group and turns errors into stable exit codes.

Users' errors (`FamlinkError`) print as a short message with no traceback. Anything else is a bug:
it prints the exception *type* and where it happened, but not its message, because library messages
can quote data values (set FAMLINK_DEBUG=1 to see everything on a machine where that is allowed).
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence

import typer
from rich.markup import escape
from typer import _click as click  # Typer 0.29 vendors Click; its exceptions live here

from famlink import __version__
from famlink.cli import registry
from famlink.console import err_console
from famlink.errors import FamlinkError

INTERNAL_ERROR_EXIT = 70

app = typer.Typer(
    name="famlink",
    help="Link public-sector records safely and evaluate a family-support programme.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"famlink {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version."
    ),
) -> None:
    """famlink: council → linkage agent → departments → research, with governance built in."""


registry.register_all(app)


def _print_user_error(err: FamlinkError) -> None:
    err_console.print(f"[bold red]{escape(err.title)}:[/] {escape(err.what)}")
    if err.where:
        err_console.print(f"  [bold]where:[/] {escape(err.where)}")
    if err.fix:
        err_console.print(f"  [bold]what to do:[/] {escape(err.fix)}")


def _print_internal_error(exc: BaseException) -> None:
    if os.environ.get("FAMLINK_DEBUG") == "1":
        err_console.print(traceback.format_exc(), markup=False)
    else:
        frames = traceback.extract_tb(exc.__traceback__)
        err_console.print(
            f"[bold red]internal error:[/] {type(exc).__name__} (message withheld: it may quote data)"
        )
        for frame in frames[-3:]:
            err_console.print(f"  at {frame.filename}:{frame.lineno} in {frame.name}", markup=False)
        err_console.print("  Please report this as a bug; FAMLINK_DEBUG=1 shows the full traceback.")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code (used by tests in-process and by `run`)."""
    try:
        app(args=list(argv) if argv is not None else None, prog_name="famlink", standalone_mode=False)
    except FamlinkError as err:
        _print_user_error(err)
        return err.exit_code
    except typer.Exit as done:
        return done.exit_code
    except click.ClickException as usage:
        usage.show()
        return usage.exit_code
    except typer.Abort:
        err_console.print("aborted")
        return 130
    except Exception as exc:  # last line of defence for bugs, see module docstring
        _print_internal_error(exc)
        return INTERNAL_ERROR_EXIT
    return 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
