"""Role stores: encrypted at rest, opened only by their own role and keys, crypto-shredded, audited."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import duckdb
import pytest

from famlink.errors import StoreError
from famlink.exchange.keys import create_party_keys
from famlink.governance.store import RoleStore
from tests.integration.governance_fixtures import (
    PURPOSE,
    TO_AGENT,
    deploy,
    identifier_values,
    identifiers_table,
)


def store_with_identifiers(tmp_path: Path) -> RoleStore:
    store = RoleStore.create(tmp_path / "ons", role="agent", party="ons", operator="tester")
    with store.session() as con:
        con.register("incoming", identifiers_table(50))
        con.execute("CREATE TABLE people AS SELECT * FROM incoming")
    store.close()  # checkpoint and release the file, as at the end of a command
    return store


def test_database_file_holds_no_identifier_bytes(tmp_path: Path) -> None:
    store = store_with_identifiers(tmp_path)
    raw = b"".join(p.read_bytes() for p in (store.path / "data").iterdir())
    leaked = [v for v in identifier_values(identifiers_table(50)) if v.encode() in raw]
    assert leaked == []
    assert b"QUENTINIA" not in raw and b"ZAMBRANOVIC" not in raw


def test_database_cannot_be_read_without_its_key(tmp_path: Path) -> None:
    store = store_with_identifiers(tmp_path)
    con = duckdb.connect()
    with pytest.raises(duckdb.Error, match="without a key"):
        con.execute(f"ATTACH '{store.path / 'data' / 'main.duckdb'}' AS stolen (READ_ONLY)")
    with pytest.raises(duckdb.Error, match=r"[Ww]rong encryption key"):
        con.execute(
            f"ATTACH '{store.path / 'data' / 'main.duckdb'}' AS stolen (ENCRYPTION_KEY 'guess', READ_ONLY)"
        )


def test_the_store_reads_its_own_data_back(tmp_path: Path) -> None:
    store = store_with_identifiers(tmp_path)
    reopened = RoleStore.open(store.path, role="agent")
    table = reopened.read(
        "SELECT * FROM people ORDER BY council_ref", operator="o", purpose=PURPOSE, what="people"
    )
    assert table.equals(identifiers_table(50))
    assert reopened.audit.entries()[-1].action == "read" and reopened.audit.entries()[-1].rows == 50


def test_another_role_cannot_open_the_store(tmp_path: Path) -> None:
    store = store_with_identifiers(tmp_path)
    with pytest.raises(StoreError, match="agent store, not a research store"):
        RoleStore.open(store.path, role="research")


def test_another_partys_keys_cannot_open_the_store(tmp_path: Path) -> None:
    store = store_with_identifiers(tmp_path)
    create_party_keys("research", tmp_path / "research-keys")
    with pytest.raises(StoreError, match="another party"):
        RoleStore.open(store.path, keys_dir=tmp_path / "research-keys")


def test_private_key_files_are_private(tmp_path: Path) -> None:
    store = store_with_identifiers(tmp_path)
    private = [p for p in store.keys_dir.iterdir() if p.suffix in (".age", ".pem", ".key")]
    assert len(private) == 3  # age identity, signing key, database key
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in private)
    public = (store.keys_dir / "ons.pub").read_text()
    assert "AGE-SECRET-KEY" not in public and "PRIVATE" not in public


def test_destroying_a_segment_key_makes_its_data_and_backups_unreadable(tmp_path: Path) -> None:
    store = RoleStore.create(tmp_path / "dwp", role="department", party="dwp", operator="tester")
    store.add_segment("match_request", operator="tester", purpose=PURPOSE)
    with store.session() as con:
        con.register("incoming", identifiers_table(10))
        con.execute("CREATE TABLE match_request.requests AS SELECT * FROM incoming")
        con.execute("CREATE TABLE holdings AS SELECT 1 AS kept")
    backup = tmp_path / "backup.duckdb"
    shutil.copyfile(store.path / "data" / "match_request.duckdb", backup)
    store.destroy_segment(
        "match_request", operator="dpo", purpose="retention", reason="clause 7.2: one month"
    )
    with store.session() as con:  # the rest of the store is untouched
        assert con.execute("SELECT kept FROM holdings").fetchall() == [(1,)]
        with pytest.raises(duckdb.Error):
            con.execute("SELECT * FROM match_request.requests")
    assert not (store.path / "data" / "match_request.duckdb").exists()
    assert not list(store.keys_dir.glob("db-match_request*"))
    with pytest.raises(duckdb.Error, match="without a key"):
        duckdb.connect().execute(f"ATTACH '{backup}' AS old (READ_ONLY)")
    assert store.audit.entries()[-1].action == "destroyed"


def test_import_into_a_segment_survives_shredding_as_a_replay_guard(tmp_path: Path) -> None:
    world = deploy(tmp_path, ("LA01", "ons"))
    agent = world.stores["ons"]
    agent.add_segment("incoming", operator="tester", purpose=PURPOSE)
    package = world.stores["LA01"].export_package(
        {"identifiers": identifiers_table()}, agreement=world.agreement(), recipient="ons",
        purpose=PURPOSE, flow=TO_AGENT, operator="alice",
    ).path  # fmt: skip
    agent.import_package(package, world.agreement(), operator="bob", purpose=PURPOSE, segment="incoming")
    agent.destroy_segment("incoming", operator="dpo", purpose="retention", reason="test")
    from famlink.errors import PackageRefusedError

    with pytest.raises(PackageRefusedError, match="already been imported"):
        agent.import_package(package, world.agreement(), operator="bob", purpose=PURPOSE)


def test_no_audit_line_contains_an_identifier_value(tmp_path: Path) -> None:
    world = deploy(tmp_path, ("LA01", "ons"))
    agreement = world.agreement()
    table = identifiers_table(20)
    package = world.stores["LA01"].export_package(
        {"identifiers": table}, agreement=agreement, recipient="ons", purpose=PURPOSE, flow=TO_AGENT,
        operator="alice",
    ).path  # fmt: skip
    agent = world.stores["ons"]
    agent.import_package(package, agreement, operator="bob", purpose=PURPOSE)
    agent.read("SELECT * FROM identifiers", operator="bob", purpose=PURPOSE, what="identifiers for linkage")
    logs = [(s.path / "audit.jsonl").read_text() for s in world.stores.values()]
    actions = [json.loads(line)["action"] for text in logs for line in text.splitlines()]
    assert {"export", "import", "read"} <= set(actions)
    values = identifier_values(table)
    assert [v for v in values for text in logs if v in text] == []


def test_export_with_the_same_key_returns_the_first_package(tmp_path: Path) -> None:
    world = deploy(tmp_path, ("LA01", "ons"))
    council = world.stores["LA01"]

    def export() -> Path:
        return council.export_package(
            {"identifiers": identifiers_table()}, agreement=world.agreement(), recipient="ons",
            purpose=PURPOSE, flow=TO_AGENT, operator="alice", export_key="cycle-1/identifiers",
        ).path  # fmt: skip

    first, again = export(), export()
    assert first == again
    assert list(council.outbox.iterdir()) == [first]


def test_role_access_is_audited_with_operator_and_purpose(tmp_path: Path) -> None:
    store = store_with_identifiers(tmp_path)
    with store.session(operator="carol", purpose=PURPOSE) as con:
        con.execute("SELECT count(*) FROM people").fetchall()
    last = store.audit.entries()[-1]
    assert (last.action, last.operator, last.purpose) == ("access", "carol", PURPOSE)
    with pytest.raises(StoreError, match="both operator and purpose"):
        store.connect(operator="carol")


def test_a_role_can_export_while_holding_its_own_connection(tmp_path: Path) -> None:
    world = deploy(tmp_path, ("LA01", "ons"))
    council = world.stores["LA01"]
    with council.session(operator="alice", purpose=PURPOSE) as con:
        con.register("incoming", identifiers_table())
        con.execute("CREATE TABLE export_identifiers AS SELECT * FROM incoming")
        result = council.export_package(
            {"identifiers": "export_identifiers"}, agreement=world.agreement(), recipient="ons",
            purpose=PURPOSE, flow=TO_AGENT, operator="alice",
        )  # fmt: skip
        assert con.execute("SELECT count(*) FROM famlink_exports").fetchall() == [(1,)]
    assert result.manifest.tables["identifiers"].rows == 6


def test_closing_one_handle_does_not_close_the_store_under_another(tmp_path: Path) -> None:
    store = store_with_identifiers(tmp_path)
    holder, passer_by = RoleStore.open(store.path), RoleStore.open(store.path)
    with holder.session() as con:
        with passer_by.session() as other:
            other.execute("SELECT 1").fetchall()
        passer_by.close()
        assert con.execute("SELECT count(*) FROM people").fetchall() == [(50,)]
    holder.close()


def test_an_interrupted_create_can_be_run_again(tmp_path: Path) -> None:
    root = tmp_path / "LA01"
    (root / "data").mkdir(parents=True)
    (root / "store.json").write_text('{"format": 1, "role": "council", "party": "LA01", "segments": {}}')
    (root / "data" / "main.duckdb").write_bytes(b"half-written")  # a crash mid-way left these
    store = RoleStore.create(root, role="council", party="LA01", operator="tester")
    with store.session() as con:
        assert con.execute("SELECT 42").fetchall() == [(42,)]
    store.close()
    with pytest.raises(StoreError, match="already exists"):
        RoleStore.create(root, role="council", party="LA01", operator="tester")
