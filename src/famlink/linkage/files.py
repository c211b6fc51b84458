"""File-level entry points behind `famlink link` and `famlink dedupe`: read, run, write everything.

Outputs sit beside `--out` and are named from it (for `links.csv`): `links.review.csv`,
`links.model.json`, `links.quality.json`, `links.quality.html`. All are computed before any is
written, and each is written atomically, so a failed run leaves none of them behind.
"""

from __future__ import annotations

import json
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from famlink.errors import InputFileError
from famlink.linkage.api import DedupeResult, LinkResult, Step, dedupe_table, link_tables
from famlink.linkage.options import LinkOptions
from famlink.linkage.report import render_html
from famlink.tabular import atomic_path, read_table, require_columns, table_format


@dataclass(frozen=True)
class OutputPaths:
    """Where one run's files go."""

    main: Path
    review: Path
    model: Path
    quality_json: Path
    quality_html: Path

    @classmethod
    def beside(cls, out: Path) -> OutputPaths:
        table_format(out)  # refuse an unknown suffix before doing any work
        stem, suffix = out.with_suffix(""), out.suffix
        return cls(
            main=out,
            review=Path(f"{stem}.review{suffix}"),
            model=Path(f"{stem}.model.json"),
            quality_json=Path(f"{stem}.quality.json"),
            quality_html=Path(f"{stem}.quality.html"),
        )


def read_truth(path: Path) -> pa.Table:
    """A CSV/Parquet of true pairs: left_id, right_id (as strings)."""
    table = read_table(path)
    require_columns(table, ["left_id", "right_id"], str(path))
    return pa.table({c: table.column(c).cast(pa.string()) for c in ("left_id", "right_id")})


def link_files(
    left: Path,
    right: Path,
    out: Path,
    options: LinkOptions,
    *,
    model: Path | None = None,
    truth: Path | None = None,
    on_step: Step | None = None,
) -> LinkResult:
    """Run `famlink link` end to end and write its outputs beside `out`."""
    paths = OutputPaths.beside(out)
    truth_table = read_truth(truth) if truth else None
    result = link_tables(
        read_table(left),
        read_table(right),
        options,
        model,
        left_source=str(left),
        right_source=str(right),
        truth=truth_table,
        on_step=on_step or (lambda _: None),
    )
    _write_all(paths, result.links, result.review, result.model_json, result.quality, "Linkage quality")
    return result


def dedupe_file(
    source: Path,
    out: Path,
    options: LinkOptions,
    *,
    model: Path | None = None,
    truth: Path | None = None,
    on_step: Step | None = None,
) -> DedupeResult:
    """Run `famlink dedupe` end to end and write its outputs beside `out`."""
    paths = OutputPaths.beside(out)
    truth_table = read_truth(truth) if truth else None
    result = dedupe_table(
        read_table(source),
        options,
        model,
        source=str(source),
        truth=truth_table,
        on_step=on_step or (lambda _: None),
    )
    _write_all(
        paths, result.clusters, result.review, result.model_json, result.quality, "Deduplication quality"
    )
    return result


def _write_table_to(table: pa.Table, target: Path, fmt_from: Path) -> None:
    if table_format(fmt_from) == "parquet":
        pq.write_table(table, target)
    else:
        pacsv.write_csv(table, target)


def _write_all(
    paths: OutputPaths, main: pa.Table, review: pa.Table, model_json: str, quality: dict[str, Any], title: str
) -> None:
    """Write every output; renames happen only after all have been written successfully."""
    html_text = render_html(quality, title)
    try:
        with ExitStack() as stack:
            tmp = {name: stack.enter_context(atomic_path(path)) for name, path in paths.__dict__.items()}
            _write_table_to(main, tmp["main"], paths.main)
            _write_table_to(review, tmp["review"], paths.review)
            tmp["model"].write_text(model_json, encoding="utf-8")
            tmp["quality_json"].write_text(json.dumps(quality, indent=2, sort_keys=True), encoding="utf-8")
            tmp["quality_html"].write_text(html_text, encoding="utf-8")
    except OSError as exc:
        raise InputFileError(
            "could not write the outputs", where=str(paths.main.parent), fix="check the folder is writable"
        ) from exc
