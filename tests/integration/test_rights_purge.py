"""A department holding a pending request purges exactly the references the agent names."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa

from famlink.governance.store import RoleStore
from famlink.roles.department.purge import PurgeResult, apply_purge_requests
from famlink.study.layout import set_up_study
from famlink.study.run import post_outboxes


def test_a_pending_request_loses_only_the_withdrawn_person(tmp_path: Path) -> None:
    layout = set_up_study(tmp_path, ["LA01"], "tester")
    agreement = layout.agreement()
    dwp = RoleStore.open(layout.store_path("dwp"), role="department")
    dwp.add_segment("match_request", operator="dwp-analyst", purpose="national-impact-study")
    with dwp.session() as con:
        con.register("incoming", pa.table({"request_ref": ["QA", "QB", "QC"], "nino": ["QQ1", "QQ2", "QQ3"]}))
        con.execute(f"CREATE TABLE {dwp.alias('match_request')}.match_request AS SELECT * FROM incoming")
    with RoleStore.open(layout.store_path("ons"), role="agent") as ons:
        ons.export_package(
            {"purge_requests": pa.table({"request_ref": ["QB"]})},
            agreement=agreement,
            recipient="dwp",
            purpose="withdrawal",
            flow="agent-purge-to-dwp",
            operator="agent-analyst",
            as_of=date(2020, 6, 1),
        )
    post_outboxes(layout, ["ons"])
    assert apply_purge_requests(dwp, agreement, operator="dwp-analyst", purpose="withdrawal") == PurgeResult(
        1, 1, 1
    )
    with dwp.session() as con:
        left = con.execute(f"SELECT request_ref FROM {dwp.alias('match_request')}.match_request ORDER BY 1")
        assert [r[0] for r in left.fetchall()] == ["QA", "QC"]
    assert "purge_in" not in dwp.segments, "the purge request itself is shredded"
    assert apply_purge_requests(dwp, agreement, operator="dwp-analyst", purpose="withdrawal") == PurgeResult(
        0, 0, 0
    )
    audit = (layout.store_path("dwp") / "audit.jsonl").read_text(encoding="utf-8")
    assert '"action": "purge_applied"' in audit and '"QB"' not in audit
    dwp.close()


def test_a_withdrawal_that_research_ingested_by_mistake_is_still_carried_out(tmp_path: Path) -> None:
    from famlink.roles.research.service import Actor, ingest_packages
    from famlink.roles.research.withdrawals import apply_withdrawals

    layout = set_up_study(tmp_path, ["LA01"], "tester")
    agreement = layout.agreement()
    with RoleStore.open(layout.store_path("ons"), role="agent") as ons:
        ons.export_package(
            {"withdrawals": pa.table({"person_id": ["RP2"]})},
            agreement=agreement,
            recipient="research",
            purpose="withdrawal",
            flow="agent-withdrawal-to-research",
            operator="agent-analyst",
            as_of=date(2020, 6, 1),
        )
    post_outboxes(layout, ["ons"])
    with RoleStore.open(layout.store_path("research"), role="research") as research:
        with research.session() as con:
            con.execute("CREATE TABLE cohort AS SELECT 'RP' || i AS person_id FROM range(4) t(i)")
        ingest_packages(research, agreement, Actor("researcher", "national-impact-study"))
        done = apply_withdrawals(research, agreement, operator="researcher", purpose="withdrawal")
        with research.session() as con:
            left = [r[0] for r in con.execute("SELECT person_id FROM cohort ORDER BY 1").fetchall()]
            stray = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'withdrawals'")
            assert stray.fetchall() == [(0,)]
    assert done.people == 1 and left == ["RP0", "RP1", "RP3"]
