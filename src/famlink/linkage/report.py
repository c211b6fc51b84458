"""The linkage-quality report as one HTML file that opens offline: tables plus inline SVG charts.

Charts are drawn with matplotlib into inline SVG, so the page needs no network, no JavaScript and no
side files, and can be attached to an audit record or an email as it is.
"""

from __future__ import annotations

import html
import io
import json
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #ccc;padding:.25rem .6rem}
th{background:#f3f3f3;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
.note{color:#555;font-size:.9rem}
"""


def _svg(figure: Any) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _histogram_svg(bins: list[dict[str, Any]], title: str) -> str:
    figure, axes = plt.subplots(figsize=(7, 2.6))
    axes.bar([b["from"] for b in bins], [b["pairs"] for b in bins], width=1.8, align="edge", color="#3b6ea8")
    axes.set_xlabel("match weight")
    axes.set_ylabel("pairs")
    axes.set_title(title)
    return _svg(figure)


def _rates_svg(rows: list[dict[str, Any]], title: str) -> str:
    figure, axes = plt.subplots(figsize=(7, 0.35 * len(rows) + 1.0))
    axes.barh([r["group"] for r in rows], [r["match_rate"] or 0 for r in rows], color="#5a9e6f")
    axes.set_xlim(0, 1)
    axes.set_xlabel("share of records linked")
    axes.set_title(title)
    return _svg(figure)


def _table(rows: list[tuple[str, Any]]) -> str:
    body = "".join(
        f"<tr><th>{html.escape(str(k))}</th><td class=n>{html.escape(_fmt(v))}</td></tr>" for k, v in rows
    )
    return f"<table>{body}</table>"


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items()) or "none"
    return str(value)


def _group_section(groups: dict[str, list[dict[str, Any]]]) -> str:
    parts = []
    for name, rows in groups.items():
        label = name.replace("_", " ")
        table = "".join(
            f"<tr><td>{html.escape(r['group'])}</td><td class=n>{r['records']}</td>"
            f"<td class=n>{r['linked']}</td><td class=n>{_fmt(r['match_rate'])}</td></tr>"
            for r in rows
        )
        parts.append(
            f"<h3>by {label}</h3>{_rates_svg(rows, f'match rate by {label}')}"
            f"<table><tr><th>{label}</th><th>records</th><th>linked</th><th>rate</th></tr>{table}</table>"
        )
    return "".join(parts)


def render_html(quality: dict[str, Any], title: str) -> str:
    """The whole report page for a quality dict from `famlink.linkage.quality`."""
    sections = [f"<h1>{html.escape(title)}</h1>"]
    sections.append("<h2>Counts</h2>" + _table(list(quality["counts"].items())))
    sections.append("<h2>Match rates</h2>" + _table(list(quality["match_rates"].items())))
    invalid = [
        (f"{side}: {k}", v) for side, c in quality["invalid_identifiers"].items() for k, v in c.items()
    ]
    sections.append(
        "<h2>Invalid identifiers</h2><p class=note>Values given but failing their check; they were "
        "kept, flagged and left out of the exact pass.</p>" + _table(invalid)
    )
    hist = quality["match_weight_histogram"]
    sections.append("<h2>Match weights</h2>" + _histogram_svg(hist["scored_pairs"], "scored pairs"))
    if "truth" in quality:
        truth = quality["truth"]
        rows = [(k, v) for k, v in truth.items() if not isinstance(v, dict)]
        sections.append("<h2>Against the truth</h2>" + _table(rows))
        sections.append("<h3>False links by kind</h3>" + _table(list(truth["false_links_by_kind"].items())))
        sections.append("<h3>Missed links by kind</h3>" + _table(list(truth["missed_links_by_kind"].items())))
    sections.append(
        "<h2>Match rates by group</h2><p class=note>Linkage is known to fail more often for some "
        "groups; differences here can bias any analysis of the linked data.</p>"
        + _group_section(quality["match_rates_by_group_left"])
    )
    options = html.escape(json.dumps(quality["options"]))
    sections.append(f"<p class=note>options: {options}</p>")
    return (
        f"<!doctype html><html><head><meta charset=utf-8><title>{html.escape(title)}</title>"
        f"<style>{_STYLE}</style></head><body>{''.join(sections)}</body></html>"
    )
