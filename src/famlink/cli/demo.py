"""`famlink demo`: the whole study on the synthetic default."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to `app` (none yet: the work is tracked in an issue)."""
