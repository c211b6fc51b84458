"""`famlink synth`: generate the synthetic world."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
import yaml

from famlink.console import err_console, progress
from famlink.errors import ConfigError


def register(app: typer.Typer) -> None:
    """Add `famlink synth` to `app`."""
    app.command("synth")(synth)


def synth(
    out: Path = typer.Option(
        ..., "--out", help="Folder to create the world in (must not exist or be empty)."
    ),
    families: int | None = typer.Option(None, "--families", help="Programme (assessed) families [2000]."),
    councils: int | None = typer.Option(None, "--councils", help="Number of councils LA01, LA02, ... [4]."),
    seed: int | None = typer.Option(None, "--seed", help="Random seed; same arguments, same bytes [1]."),
    background: float | None = typer.Option(
        None, "--background", help="Background families per programme family, held by departments [3]."
    ),
    config_file: Path | None = typer.Option(
        None, "--config", help="JSON or YAML file of further settings (error rates, effects, shares)."
    ),
    no_effect: bool = typer.Option(False, "--no-effect", help="Switch the programme's true effect off."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing output folder."),
    workers: int | None = typer.Option(
        None, "--workers", min=1, help="Processes to generate councils in (default: 2 for big worlds)."
    ),
) -> None:
    """Generate a synthetic England with known truth (see docs/reference/synthetic-world.md)."""
    from famlink.synth.config import DEFAULT_EFFECTS, SynthConfig
    from famlink.synth.world import generate_world

    settings = _read_settings(config_file) if config_file else {}
    flags = {"families": families, "councils": councils, "seed": seed, "background_multiplier": background}
    settings.update({k: v for k, v in flags.items() if v is not None})
    if no_effect:
        settings["effects"] = dict.fromkeys(DEFAULT_EFFECTS, 0.0)
    config = SynthConfig.from_json(settings, where=str(config_file or "command line")).validate()
    with progress() as bar:
        task = bar.add_task("generating councils", total=config.councils)
        info = generate_world(
            config,
            out,
            overwrite=overwrite,
            workers=workers,
            on_council=lambda done, _total: bar.update(task, completed=done),
        )
    counts = info["counts"]
    err_console.print(
        f"world written to {out}: {counts['programme_families']} programme families, "
        f"{counts['background_families']} background families, {counts['people']} people "
        f"in {config.councils} councils"
    )


def _read_settings(path: Path) -> dict[str, Any]:
    """Settings file: a JSON or YAML mapping of SynthConfig fields."""
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise ConfigError(
            "the settings file cannot be read", where=str(path), fix="give a JSON or YAML mapping of settings"
        ) from exc
    if not isinstance(data, dict):
        raise ConfigError("the settings file must hold a mapping of settings", where=str(path))
    return data
