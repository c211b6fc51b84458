"""Shared builders for the families'-rights tests: one tiny world per test session, opened packages,
and a search of every store table and package for a set of values.

Plain functions rather than conftest fixtures, so each test reads top to bottom.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from famlink.agreement import Agreement
from famlink.exchange.manifest import PACKAGE_SUFFIX, read_header
from famlink.exchange.package import open_package
from famlink.governance.store import RoleStore
from famlink.synth import SynthConfig, generate_world

WORLD_FAMILIES = 60
WORLD_COUNCILS = 2
AS_OF = date(2020, 6, 1)


def tiny_world(factory: pytest.TempPathFactory) -> Path:
    """A 60-family, 2-council synthetic world, generated once per session and reused."""
    out = factory.getbasetemp() / "rights-world"
    if not (out / "world.json").is_file():
        generate_world(SynthConfig(families=WORLD_FAMILIES, councils=WORLD_COUNCILS, seed=5), out, workers=1)
    return out


def open_all(
    folder: Path, agreement: Agreement, stores: dict[str, Path], only: set[str] | None = None
) -> list[dict[str, pa.Table]]:
    """Every package in `folder` (or those named in `only`), opened with its recipient's own keys."""
    opened = []
    for path in sorted(folder.glob(f"*{PACKAGE_SUFFIX}")):
        if only is not None and path.name not in only:
            continue
        recipient = read_header(path).manifest.recipient
        with RoleStore.open(stores[recipient]) as store:
            keys = store.keys()
        package = open_package(
            path, agreement=agreement, recipient_keys=keys, already_imported=lambda _: False
        )
        opened.append(package.tables)
    return opened


def values_in_tables(tables: Iterable[pa.Table]) -> set[str]:
    """Every non-null value of every column, as text."""
    found: set[str] = set()
    for table in tables:
        for column in table.columns:
            found.update(str(v) for v in column.to_pylist() if v is not None)
    return found


def values_in_store(path: Path) -> set[str]:
    """Every value of every table in every segment of a store (opened with its own keys)."""
    with RoleStore.open(path) as store, store.session() as con:
        rows = con.execute("SELECT database_name, table_name FROM duckdb_tables() ORDER BY ALL").fetchall()
        tables = [con.sql(f'SELECT * FROM {db}."{name}"').to_arrow_table() for db, name in rows]
    return values_in_tables(tables)


def loaded_council(factory: pytest.TempPathFactory, into: Path) -> Path:
    """A study folder whose LA01 store has loaded the tiny world and decided its cohort, copied to `into`.

    Loading is the slow part, so it happens once per session; each caller gets its own copy.
    """
    prepared = factory.getbasetemp() / "rights-council"
    if not (prepared / "ready").is_file():
        from famlink.roles.council import service
        from famlink.study.layout import set_up_study

        world = tiny_world(factory)
        layout = set_up_study(prepared, ["LA01"], "tester")
        actor = service.Actor("la01-data-officer", "national-impact-study")
        with RoleStore.open(layout.store_path("LA01"), role="council") as store:
            service.load_council_data(store, world / "councils" / "LA01", actor)
            service.decide_cohort(store, actor)
        (prepared / "ready").write_text("ok", encoding="utf-8")
    shutil.copytree(prepared, into)
    return into
