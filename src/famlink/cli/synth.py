"""`famlink synth`: generate the synthetic world."""

from __future__ import annotations

from pathlib import Path

import typer

from famlink.console import err_console, progress


def register(app: typer.Typer) -> None:
    """Add `famlink synth` to `app`."""
    app.command("synth")(synth)


def synth(
    out: Path = typer.Option(
        ..., "--out", help="Folder to create the world in (must not exist or be empty)."
    ),
    families: int = typer.Option(
        2000, "--families", help="Programme (assessed) families, across all councils."
    ),
    councils: int = typer.Option(4, "--councils", help="Number of councils (LA01, LA02, ...)."),
    seed: int = typer.Option(1, "--seed", help="Random seed: the same arguments give byte-identical files."),
    background: float = typer.Option(
        3.0, "--background", help="Background families per programme family (departments' lookalikes)."
    ),
    no_effect: bool = typer.Option(False, "--no-effect", help="Switch the programme's true effect off."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing output folder."),
) -> None:
    """Generate a synthetic England with known truth (see docs/reference/synthetic-world.md)."""
    from famlink.synth.config import DEFAULT_EFFECTS, SynthConfig
    from famlink.synth.world import generate_world

    effects = dict.fromkeys(DEFAULT_EFFECTS, 0.0) if no_effect else dict(DEFAULT_EFFECTS)
    config = SynthConfig(
        families=families, councils=councils, seed=seed, background_multiplier=background, effects=effects
    ).validate()
    with progress() as bar:
        task = bar.add_task("generating councils", total=councils)
        info = generate_world(
            config, out, overwrite=overwrite, on_council=lambda done, _total: bar.update(task, completed=done)
        )
    counts = info["counts"]
    err_console.print(
        f"world written to {out}: {counts['programme_families']} programme families, "
        f"{counts['background_families']} background families, {counts['people']} people "
        f"in {councils} councils"
    )
