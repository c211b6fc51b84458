"""Load the council's own multi-agency tables (spec A: `councils/<LA>/local/*`) and nothing else.

The separation principle says data returned for research must never come back to a council, and a
risk model is the most tempting place for it to leak in. So this is the model's only door to data:
it accepts a council's `local/` folder, refuses any folder (or parent folder) whose role marker says
it belongs to the research, agent or department role, and refuses a folder that looks like a research
linked dataset. The package also cannot import those roles (an import-linter contract).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from famlink.errors import InputFileError, StoreError
from famlink.tabular import read_table, require_columns

ROLE_MARKER_FILES = ("store.json", "role.json", ".famlink-role", "ROLE")
"""Files a famlink store may keep at its root to say which role owns it."""
FORBIDDEN_ROLES = frozenset({"research", "agent", "department"})
RESEARCH_TABLE_NAMES = ("cohort.parquet", "moj_events.parquet", "dwp_benefit_spells.parquet")

EVENT_SOURCES: dict[str, tuple[str, str]] = {
    "police": ("date", "event"),
    "social_care": ("date", "event"),
    "domestic_abuse": ("date", "role"),
    "housing": ("date", "event"),
    "benefits_debt": ("date", "event"),
    "health": ("date", "flag"),
}
"""Each dated event table: its date column and the column naming what happened."""
PEOPLE_COLUMNS = ("record_id", "family_ref", "sex", "date_of_birth", "ethnicity", "disability", "imd_decile")
SCHOOL_COLUMNS = ("record_id", "term_start", "sessions_possible", "sessions_missed", "exclusions")


@dataclass
class LoadedSources:
    """A DuckDB connection holding `people`, `events` and `school`, plus what was missing or dropped."""

    con: duckdb.DuckDBPyConnection
    local_dir: Path
    missing: list[str] = field(default_factory=list)
    dropped_rows: dict[str, int] = field(default_factory=dict)


def role_of(folder: Path) -> str | None:
    """The role named by a store marker in `folder`, if any (JSON {"role": ...} or plain text)."""
    for name in ROLE_MARKER_FILES:
        marker = folder / name
        if not marker.is_file():
            continue
        text = marker.read_text(encoding="utf-8").strip()
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            return text.lower() or None
        if isinstance(data, dict) and isinstance(data.get("role"), str):
            return str(data["role"]).lower()
        if isinstance(data, str):
            return data.lower()
    return None


def refuse_foreign_store(folder: Path) -> None:
    """Raise if `folder` or any parent is marked as a research, agent or department store."""
    for candidate in (folder, *folder.resolve().parents):
        role = role_of(candidate)
        if role is not None and role in FORBIDDEN_ROLES:
            raise StoreError(
                f"the risk model may not read a {role} store: it uses the council's own data only",
                where=str(candidate),
                fix="point --council at the council's local multi-agency folder (councils/<LA>/local)",
            )
    if any((folder / name).exists() for name in RESEARCH_TABLE_NAMES):
        raise StoreError(
            "this folder holds research linked-dataset tables, which never go back to a council",
            where=str(folder),
            fix="point --council at the council's local multi-agency folder (councils/<LA>/local)",
        )


def resolve_local_dir(council: str | Path) -> Path:
    """Accept `councils/<LA>` or `councils/<LA>/local`; return the folder holding people.parquet."""
    base = Path(council)
    for candidate in (base / "local", base):
        if (candidate / "people.parquet").exists() or (candidate / "people.csv").exists():
            refuse_foreign_store(candidate)
            return candidate
    refuse_foreign_store(base)
    raise InputFileError(
        "no council multi-agency person index (people.parquet) found",
        where=str(base),
        fix="give the council folder from the synthetic world, e.g. WORLD/councils/LA01",
    )


def _table_path(local_dir: Path, name: str) -> Path | None:
    for suffix in (".parquet", ".csv"):
        path = local_dir / f"{name}{suffix}"
        if path.exists():
            return path
    return None


def load_council_sources(council: str | Path) -> LoadedSources:
    """Read the council's local tables into an in-memory DuckDB with typed, validated columns."""
    local_dir = resolve_local_dir(council)
    loaded = LoadedSources(con=duckdb.connect(), local_dir=local_dir)
    _load_people(loaded)
    _load_events(loaded)
    _load_school(loaded)
    return loaded


def _read_required(local_dir: Path, name: str, columns: tuple[str, ...]) -> pa.Table:
    path = _table_path(local_dir, name)
    if path is None:
        raise InputFileError(f"the council table '{name}' is missing", where=str(local_dir))
    table = read_table(path)
    require_columns(table, columns, str(path))
    return table.select(list(columns))


def _load_people(loaded: LoadedSources) -> None:
    people = _read_required(loaded.local_dir, "people", PEOPLE_COLUMNS)
    loaded.con.register("people_raw", people)
    loaded.con.execute(
        """
        CREATE TABLE people AS
        SELECT CAST(record_id AS VARCHAR) AS record_id,
               CAST(family_ref AS VARCHAR) AS family_ref,
               CAST(sex AS VARCHAR) AS sex,
               COALESCE(TRY_CAST(date_of_birth AS DATE),
                        TRY_STRPTIME(CAST(date_of_birth AS VARCHAR), '%d/%m/%Y')::DATE,
                        TRY_STRPTIME(CAST(date_of_birth AS VARCHAR), '%Y%m%d')::DATE) AS dob,
               CAST(ethnicity AS VARCHAR) AS ethnicity,
               CASE WHEN lower(CAST(disability AS VARCHAR)) IN ('true', '1', 'yes', 't') THEN 'disabled'
                    WHEN disability IS NULL THEN 'unknown' ELSE 'not disabled' END AS disability,
               TRY_CAST(imd_decile AS INTEGER) AS imd_decile
        FROM people_raw
        """
    )
    loaded.con.unregister("people_raw")
    rows = loaded.con.execute("SELECT count(*) FROM people").fetchall()[0][0]
    if rows == 0:
        raise InputFileError("the council person index has no rows", where=str(loaded.local_dir))
    undated = loaded.con.execute("SELECT count(*) FROM people WHERE dob IS NULL").fetchall()[0][0]
    loaded.dropped_rows["people_without_usable_date_of_birth"] = int(undated)


def _load_events(loaded: LoadedSources) -> None:
    selects: list[str] = []
    for name, (date_col, kind_col) in EVENT_SOURCES.items():
        path = _table_path(loaded.local_dir, name)
        if path is None:
            loaded.missing.append(name)
            continue
        table = read_table(path)
        require_columns(table, ("record_id", date_col, kind_col), str(path))
        view = f"{name}_raw"
        loaded.con.register(view, table.select(["record_id", date_col, kind_col]))
        selects.append(
            f"SELECT CAST(record_id AS VARCHAR) AS record_id, TRY_CAST({date_col} AS DATE) AS date, "
            f"'{name}_' || lower(CAST({kind_col} AS VARCHAR)) AS kind FROM {view}"
        )
    body = " UNION ALL ".join(selects) or "SELECT NULL::VARCHAR, NULL::DATE, NULL::VARCHAR WHERE false"
    loaded.con.execute(f"CREATE TABLE events_all AS {body}")
    loaded.con.execute("CREATE TABLE events AS SELECT * FROM events_all WHERE date IS NOT NULL")
    bad = loaded.con.execute("SELECT count(*) FROM events_all WHERE date IS NULL").fetchall()[0][0]
    loaded.dropped_rows["events_without_usable_date"] = int(bad)
    loaded.con.execute("DROP TABLE events_all")


def _load_school(loaded: LoadedSources) -> None:
    path = _table_path(loaded.local_dir, "school")
    if path is None:
        loaded.missing.append("school")
        loaded.con.execute(
            "CREATE TABLE school (record_id VARCHAR, term_start DATE, sessions_possible DOUBLE, "
            "sessions_missed DOUBLE, exclusions DOUBLE)"
        )
        return
    table = read_table(path)
    require_columns(table, SCHOOL_COLUMNS, str(path))
    loaded.con.register("school_raw", table.select(list(SCHOOL_COLUMNS)))
    loaded.con.execute(
        """
        CREATE TABLE school AS
        SELECT CAST(record_id AS VARCHAR) AS record_id, TRY_CAST(term_start AS DATE) AS term_start,
               TRY_CAST(sessions_possible AS DOUBLE) AS sessions_possible,
               TRY_CAST(sessions_missed AS DOUBLE) AS sessions_missed,
               COALESCE(TRY_CAST(exclusions AS DOUBLE), 0) AS exclusions
        FROM school_raw WHERE TRY_CAST(term_start AS DATE) IS NOT NULL
        """
    )
