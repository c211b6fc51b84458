"""One place for terminal output: a stderr console for messages and Rich progress bars.

Progress goes to stderr so that a command's stdout stays clean for tables and JSON. Bars disappear
when stderr is not a terminal (CI, cron), leaving only the closing lines.
"""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

err_console = Console(stderr=True, highlight=False)
out_console = Console(highlight=False)


def progress() -> Progress:
    """A progress display for long work: spinner, description, bar, count and elapsed time."""
    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=not err_console.is_terminal,
        disable=not err_console.is_terminal,
    )
