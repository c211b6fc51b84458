"""Which modules contribute commands to `famlink`. Each module exposes `register(app)`.

Listing them here (rather than discovering them) keeps the command tree explicit and reviewable.
"""

from __future__ import annotations

import importlib

import typer

COMMAND_MODULES: tuple[str, ...] = (
    "famlink.cli.synth",
    "famlink.cli.demo",
    "famlink.cli.linkage",
    "famlink.cli.exchange",
    "famlink.cli.agreement",
    "famlink.cli.audit",
    "famlink.cli.council",
    "famlink.cli.agent",
    "famlink.cli.department",
    "famlink.cli.research",
    "famlink.cli.study",
    "famlink.cli.evaluate",
    "famlink.cli.disclose",
    "famlink.cli.risk",
    "famlink.cli.retention",
)


def register_all(app: typer.Typer) -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app)
