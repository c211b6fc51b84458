"""The CLI reference in docs/ is generated from --help and must match the commands as they are."""

from __future__ import annotations

from pathlib import Path

from famlink.cli.docgen import render

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "reference" / "cli.md"


def test_cli_reference_is_current() -> None:
    assert REFERENCE.read_text(encoding="utf-8") == render() + "\n", (
        "run `make docs-cli` and commit the result"
    )


def test_every_command_has_help_text() -> None:
    text = render()
    sections = text.split("\n## ")[1:]
    assert sections
    for section in sections:
        body = section.split("```")[1]
        lines = [ln for ln in body.splitlines() if ln.strip()]
        assert len(lines) >= 2, f"command without help: {section.splitlines()[0]}"
