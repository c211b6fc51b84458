"""The output-checking log of a release: the record a research environment's output checker signs off.

Every output appears with each rule's result, the rules' settings, and any override with its reason,
who made it and when. It is written as JSON (for machines and audit) and renders as a short text
summary and a self-contained HTML fragment the report embeds. It holds category labels and counts of
cells, never a person's data and never an unprotected number.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from famlink.disclosure.results import RuleResult, Status
from famlink.disclosure.rules import DisclosureRules
from famlink.tabular import atomic_path


@dataclass(frozen=True)
class Override:
    """A checker's decision to release an output despite a failed rule."""

    output: str
    rule: str
    reason: str
    by: str
    at: str

    def as_dict(self) -> dict[str, str]:
        return {"output": self.output, "rule": self.rule, "reason": self.reason, "by": self.by, "at": self.at}


@dataclass(frozen=True)
class LogEntry:
    """One output's line in the log."""

    name: str
    kind: str
    results: tuple[RuleResult, ...]
    overrides: tuple[Override, ...] = ()

    @property
    def status(self) -> Status | str:
        """`fail` unless every failed rule carries an override, then `overridden`."""
        failed = {r.rule for r in self.results if r.status == "fail"}
        if failed:
            return "overridden" if failed <= {o.rule for o in self.overrides} else "fail"
        return "protected" if any(r.status == "protected" for r in self.results) else "pass"

    def as_dict(self) -> dict[str, Any]:
        return {
            "output": self.name,
            "kind": self.kind,
            "status": self.status,
            "rules": [r.as_dict() for r in self.results],
            "overrides": [o.as_dict() for o in self.overrides],
        }


@dataclass
class OutputLog:
    """All outputs of one release and how each fared."""

    release: str
    rules: DisclosureRules
    entries: list[LogEntry] = field(default_factory=list)
    created_at: str = field(default_factory=lambda: now_utc())

    def as_dict(self) -> dict[str, Any]:
        return {
            "release": self.release,
            "created_at": self.created_at,
            "rules": self.rules.as_dict(),
            "outputs": [e.as_dict() for e in self.entries],
            "summary": self.counts(),
        }

    def counts(self) -> dict[str, int]:
        """How many outputs passed, were protected, were overridden, or are blocked."""
        tally = {"pass": 0, "protected": 0, "overridden": 0, "fail": 0}
        for entry in self.entries:
            tally[str(entry.status)] += 1
        return tally

    def write_json(self, path: str | Path) -> Path:
        """Write the log atomically (a failed write leaves no partial log)."""
        target = Path(path)
        with atomic_path(target) as tmp:
            tmp.write_text(json.dumps(self.as_dict(), indent=2) + "\n", encoding="utf-8")
        return target

    def summary_text(self) -> str:
        """A few readable lines: one per output and its failing or protecting rules."""
        counts = self.counts()
        lines = [
            f"Output check for release '{self.release}': {len(self.entries)} outputs — "
            + ", ".join(f"{n} {k}" for k, n in counts.items() if n)
        ]
        for entry in self.entries:
            acted = [r.rule for r in entry.results if r.status != "pass"]
            lines.append(
                f"- {entry.name} ({entry.kind}): {entry.status}" + (f" [{', '.join(acted)}]" if acted else "")
            )
            lines.extend(f"    override of '{o.rule}' by {o.by}: {o.reason}" for o in entry.overrides)
        return "\n".join(lines)

    def to_html(self) -> str:
        """An HTML fragment (a <section> with a table) for embedding in a report; all text escaped."""
        rows = "".join(_html_row(entry) for entry in self.entries)
        rules = ", ".join(f"{k} = {v}" for k, v in self.rules.as_dict().items())
        return (
            '<section class="famlink-output-check">'
            f"<h2>Output check: {html.escape(self.release)}</h2>"
            f"<p>Rules: {html.escape(rules)}.</p>"
            "<table><thead><tr><th>Output</th><th>Kind</th><th>Status</th><th>Rules</th>"
            f"<th>Overrides</th></tr></thead><tbody>{rows}</tbody></table></section>"
        )


def _html_row(entry: LogEntry) -> str:
    rules = "<br>".join(
        html.escape(f"{r.rule}: {r.status} — {r.detail}" + (f" ({len(r.cells)} cells)" if r.cells else ""))
        for r in entry.results
    )
    overrides = "<br>".join(html.escape(f"{o.rule}: {o.reason} (by {o.by}, {o.at})") for o in entry.overrides)
    return (
        f"<tr><td>{html.escape(entry.name)}</td><td>{html.escape(entry.kind)}</td>"
        f"<td>{html.escape(str(entry.status))}</td><td>{rules}</td><td>{overrides}</td></tr>"
    )


def now_utc() -> str:
    """The current time, ISO 8601 in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()
