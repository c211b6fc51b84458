"""`famlink report render` as a user runs it: one offline HTML file (and a PDF) with every section.

The report is rendered once per module (charts are the slow part) from the shipped example inputs,
with one checker-approved structural zero added so the approval path is visible too.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from famlink.cli.main import main
from famlink.report.render import SECTIONS

REASON = "Structural zero: no DfE records needed clerical review."


class _Page(HTMLParser):
    """Collects the tags a reader (or a screen reader) relies on."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str | None]] = []
        self.headings: list[str] = []
        self.captions = 0
        self.tables = 0
        self.ids: set[str] = set()
        self._in_heading = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag == "img":
            self.images.append(found)
        self.tables += tag == "table"
        self.captions += tag == "caption"
        if tag in {"h1", "h2"}:
            self._in_heading = True
            self.headings.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"h1", "h2"}:
            self._in_heading = False

    def handle_data(self, data: str) -> None:
        if self._in_heading:
            self.headings[-1] += data


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    folder = tmp_path_factory.mktemp("report")
    example = folder / "example.json"
    assert main(["report", "example", "--out", str(example)]) == 0
    raw = json.loads(example.read_text(encoding="utf-8"))
    raw["linkage"]["departments"][2]["clerical_review"] = "0"
    raw["linkage"]["departments"][2]["small_counts_reason"] = REASON
    inputs = folder / "inputs.json"
    inputs.write_text(json.dumps(raw), encoding="utf-8")
    html, pdf = folder / "report.html", folder / "report.pdf"
    assert main(["report", "render", str(inputs), "--out", str(html), "--pdf", str(pdf)]) == 0
    return html, pdf, html.read_text(encoding="utf-8")


def _page(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    return page


def test_every_section_is_present_with_its_heading(rendered: tuple[Path, Path, str]) -> None:
    page = _page(rendered[2])
    for anchor, heading in SECTIONS:
        assert anchor in page.ids
        assert any(h.startswith(heading.split(":")[0]) for h in page.headings), heading
    assert sum(h.startswith("Family support programme") for h in page.headings) == 1


def test_charts_are_inline_and_each_has_alt_text(rendered: tuple[Path, Path, str]) -> None:
    page = _page(rendered[2])
    assert {"forest-plot", "balance-plot", "linkage-chart", "cohort-chart"} <= page.ids
    assert len(page.images) == 4
    for image in page.images:
        assert str(image["src"]).startswith("data:image/svg+xml;base64,")
        assert len(str(image["alt"])) > 80
    forest = next(i for i in page.images if "Forest plot" in str(i["alt"]))
    assert "96 estimated differences" in str(forest["alt"])


def test_every_chart_has_a_table_beside_it(rendered: tuple[Path, Path, str]) -> None:
    page = _page(rendered[2])
    assert page.tables >= 10 and page.captions == page.tables


def test_the_page_opens_offline(rendered: tuple[Path, Path, str]) -> None:
    text = rendered[2]
    assert not re.search(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:|//)""", text, re.IGNORECASE)
    assert "<script" not in text.lower() and "<link" not in text.lower() and "@import" not in text
    assert not re.search(r"url\(\s*['\"]?(?:https?:|//)", text)


def test_group_statements_sit_next_to_the_comparison_figure(rendered: tuple[Path, Path, str]) -> None:
    text = rendered[2]
    assert (
        "72% of families on the programme reduced their offending in the six months after joining, "
        "compared with 66% of families who joined later." in text
    )
    assert "<strong>66%</strong> families who joined later" in text


def test_figures_come_from_the_inputs(rendered: tuple[Path, Path, str]) -> None:
    text = rendered[2]
    for figure in (
        "4,870",
        "2,315",
        "40.3%",
        "31.8%",
        "[c]",
        "impact-study-2026-11",
        "DSA-2026-014",
        "93.1%",
    ):
        assert figure in text, figure
    assert "1.7% on the programme vs 2.5% of families who joined later" in text  # looked after, 19-24 months
    assert REASON in text


def test_summary_speaks_plainly_about_certainty_and_limits(rendered: tuple[Path, Path, str]) -> None:
    text = rendered[2]
    assert "Of 48 results, 12 show programme families clearly doing better, 2 clearly worse" in text
    assert "What this does not show" in text and "about one in twenty could look clear by chance" in text


def test_the_pdf_is_written(rendered: tuple[Path, Path, str]) -> None:
    pdf = rendered[1].read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000


def _write(path: Path, raw: dict[str, Any]) -> Path:
    path.write_text(json.dumps(raw), encoding="utf-8")
    return path


def test_microdata_is_refused_with_exit_9_and_nothing_written(tmp_path: Path) -> None:
    from famlink.report.examples import example_inputs_text

    raw = json.loads(example_inputs_text())
    raw["cohort"]["criteria_met"]["columns"] = ["record_id", "later", "never"]
    out = tmp_path / "report.html"
    assert main(["report", "render", str(_write(tmp_path / "in.json", raw)), "--out", str(out)]) == 9
    assert main(["research", "render-report", str(tmp_path / "in.json"), "--out", str(out)]) == 9
    assert not out.exists() and list(tmp_path.iterdir()) == [tmp_path / "in.json"]


def test_an_unsuppressed_small_count_is_refused(tmp_path: Path) -> None:
    from famlink.report.examples import example_inputs_text

    raw = json.loads(example_inputs_text())
    raw["statements"][0]["comparison_families"] = "7"
    out = tmp_path / "report.html"
    assert main(["report", "render", str(_write(tmp_path / "in.json", raw)), "--out", str(out)]) == 9
    assert not out.exists()


def test_broken_inputs_are_a_bad_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "in.json"
    bad.write_text("{not json", encoding="utf-8")
    assert main(["report", "render", str(bad), "--out", str(tmp_path / "r.html")]) == 3


def test_the_same_inputs_give_the_same_page(rendered: tuple[Path, Path, str], tmp_path: Path) -> None:
    """Reproducible releases: re-rendering (here without the PDF) gives a byte-identical HTML file."""
    inputs = rendered[0].parent / "inputs.json"
    again = tmp_path / "again.html"
    assert main(["report", "render", str(inputs), "--out", str(again)]) == 0
    assert again.read_text(encoding="utf-8") == rendered[2]
