"""Retention: the ledger says what expires when, and the sweep makes expired data unreadable.

The clock is moved with `--as-of`: a department's request identifiers survive a day short of one
month and are gone a day after; research's linked data survive to the agreement's fixed date and are
gone the day after. "Gone" is checked the hard way: a backup copy of the database file taken before
the sweep can no longer be opened, because its key no longer exists anywhere.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from famlink.agreement import DEMO_AGREEMENT, load_agreement
from famlink.agreement.model import add_period
from famlink.cli.main import main
from famlink.governance.retention import ledger, sweep
from famlink.governance.store import RoleStore

NHS = ["9990000018", "9990000026", "9990000034"]


def _department_with_request(path: Path) -> RoleStore:
    store = RoleStore.create(path, role="department", party="dwp", operator="tester")
    store.add_segment("match_request", operator="tester", purpose="national-impact-study")
    with store.session() as con:
        con.register("incoming", pa.table({"request_ref": ["Q1", "Q2", "Q3"], "nhs_number": NHS}))
        con.execute(f"CREATE TABLE {store.alias('match_request')}.match_request AS SELECT * FROM incoming")
        con.execute(f"CHECKPOINT {store.alias('match_request')}")
    return store


def _unreadable(backup: Path) -> bool:
    """A backup copy cannot be attached without its key, nor with any other key."""
    con = duckdb.connect()
    failures = 0
    for suffix in ("", " (ENCRYPTION_KEY 'bm90IHRoZSBrZXkgYXQgYWxsIDMyIGJ5dGVzIGxvbmch')"):
        try:
            con.execute(f"ATTACH '{backup}' AS backup{failures}{suffix}")
            con.execute(f"SELECT * FROM backup{failures}.match_request").fetchall()
        except duckdb.Error:
            failures += 1
    return failures == 2


def test_request_identifiers_are_shredded_a_month_after_they_arrive(tmp_path: Path) -> None:
    store = _department_with_request(tmp_path / "dwp")
    backup = tmp_path / "backup.duckdb"
    store.close()
    shutil.copyfile(tmp_path / "dwp" / "data" / "match_request.duckdb", backup)
    today = date.today()
    expires = add_period(today, "1 month")
    agreement_file = str(DEMO_AGREEMENT)
    sweep_args = ["retention", "sweep", str(tmp_path / "dwp"), "--agreement", agreement_file,
                  "--operator", "records-manager", "--purpose", "retention"]  # fmt: skip
    assert main([*sweep_args, "--as-of", expires.isoformat()]) == 0
    assert "match_request" in RoleStore.open(tmp_path / "dwp").segments, "kept until the last day"
    assert main(["retention", "status", str(tmp_path / "dwp"), "--agreement", agreement_file]) == 0
    assert main([*sweep_args, "--as-of", date.fromordinal(expires.toordinal() + 1).isoformat()]) == 0

    reopened = RoleStore.open(tmp_path / "dwp", role="department")
    assert "match_request" not in reopened.segments
    assert not (tmp_path / "dwp" / "keys" / "db-match_request.key").exists()
    assert not list((tmp_path / "dwp" / "data").glob("match_request*"))
    assert _unreadable(backup)
    certificates = list((tmp_path / "dwp" / "certificates").glob("*.json"))
    assert len(certificates) == 1
    certificate = json.loads(certificates[0].read_text(encoding="utf-8"))
    assert certificate["clause"] == "7.2" and certificate["rows"] == {"match_request": 3}
    assert certificate["operator"] == "records-manager" and certificate["expires_on"] == expires.isoformat()
    audit = (tmp_path / "dwp" / "audit.jsonl").read_text(encoding="utf-8")
    assert '"action": "destruction_certificate"' in audit
    assert not any(n in audit or n in certificates[0].read_text(encoding="utf-8") for n in NHS)
    assert [e.status for e in ledger(reopened, load_agreement(DEMO_AGREEMENT))] == ["destroyed"]
    reopened.close()


def test_research_data_are_destroyed_after_the_agreements_fixed_date(tmp_path: Path) -> None:
    agreement = load_agreement(DEMO_AGREEMENT)
    store = RoleStore.create(tmp_path / "research", role="research", party="research", operator="tester")
    with store.session() as con:
        con.execute("CREATE TABLE cohort AS SELECT 'RP' || i AS person_id FROM range(5) t(i)")
    store.close()
    backup = tmp_path / "backup.duckdb"
    shutil.copyfile(tmp_path / "research" / "data" / "main.duckdb", backup)
    entry = ledger(store, agreement)[0]
    assert (entry.holding, entry.clause, entry.expires_on) == ("linked_dataset", "7.3", "2030-12-31")
    kw = {"operator": "records-manager", "purpose": "retention"}
    assert sweep(store, agreement, as_of=date(2030, 12, 31), **kw) == []
    [certificate] = sweep(store, agreement, as_of=date(2031, 1, 1), **kw)
    assert certificate.rows == {"cohort": 5} and certificate.clause == "7.3"
    with store.session() as con:
        assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'cohort'").fetchall() == [
            (0,)
        ]
    store.close()
    with pytest.raises(duckdb.Error):
        duckdb.connect().execute(f"ATTACH '{backup}' AS old").execute("SELECT * FROM old.cohort").fetchall()
    assert sweep(store, agreement, as_of=date(2031, 1, 2), **kw) == [], "a second sweep finds nothing"
    store.close()
