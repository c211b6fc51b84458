"""`famlink demo`: the whole study on the synthetic default, as `make demo` runs it."""

from __future__ import annotations

from pathlib import Path

import typer

from famlink.console import err_console, out_console


def register(app: typer.Typer) -> None:
    """Add `famlink demo` to `app`."""
    app.command("demo")(demo)


def demo(
    out: Path = typer.Option(
        Path("demo-out"), "--out", help="Folder for the world, the stores and the report."
    ),
    families: int = typer.Option(2000, "--families", help="Programme (assessed) families in the world."),
    councils: int = typer.Option(4, "--councils", help="Number of councils."),
    seed: int = typer.Option(1, "--seed", help="Seed for the world and every random step."),
) -> None:
    """Generate the synthetic world (reused if already there with the same settings) and run the study."""
    from famlink.demo import run_demo
    from famlink.study.report import print_summary

    result = run_demo(out, families=families, councils=councils, seed=seed)
    out_console.print(result.world_summary, markup=False)
    if result.study is not None:
        print_summary(result.study, out_console)
    for line in result.closing_lines:
        err_console.print(line)
