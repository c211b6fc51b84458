"""The review queue, and the guarantee that nothing acts on a score without a recorded human decision."""

from __future__ import annotations

import ast
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

import famlink.risk
from famlink.errors import ConfigError, StoreError
from famlink.governance.encrypted_db import new_database_key
from famlink.risk.queue import EarlyHelpOffer, ReviewQueue, action_for
from famlink.risk.store import RiskStore

KEY = new_database_key()

RISK_SRC = Path(famlink.risk.__file__).parent
SRC = RISK_SRC.parent


def _flags(n: int, ref: str = "2020-01-01") -> list[dict[str, object]]:
    return [
        {"person_ref": f"P{i}", "reference_date": ref, "model_id": "risk-test", "score": 0.5 - i / 100,
         "rank": i + 1, "factors": [{"words": "2 referral(s)"}]}
        for i in range(n)
    ]  # fmt: skip


def test_flags_queue_once_and_wait_for_a_decision(tmp_path: Path) -> None:
    queue = ReviewQueue(tmp_path / "q.duckdb", KEY)
    assert queue.add_flags(_flags(3)) == ["Q000001", "Q000002", "Q000003"]
    assert queue.add_flags(_flags(3)) == []  # same children, date and model: not queued twice
    assert [i.item_id for i in queue.items(pending_only=True)] == ["Q000001", "Q000002", "Q000003"]
    queue.record_decision("Q000002", "disagree", "known to the school, already supported", "pat")
    assert [i.item_id for i in queue.items(pending_only=True)] == ["Q000001", "Q000003"]
    assert queue.decision_counts() == {"offer_early_help": 0, "no_action": 0, "disagree": 1}
    assert queue.add_flags(_flags(1, "2020-02-01")) == ["Q000004"]


@pytest.mark.parametrize(
    ("decision", "reason", "who"),
    [("refer_to_police", "x", "pat"), ("no_action", "  ", "pat"), ("no_action", "fine", "")],
)
def test_a_decision_needs_a_known_choice_a_reason_and_a_practitioner(
    tmp_path: Path, decision: str, reason: str, who: str
) -> None:
    queue = ReviewQueue(tmp_path / "q.duckdb", KEY)
    queue.add_flags(_flags(1))
    with pytest.raises(ConfigError):
        queue.record_decision("Q000001", decision, reason, who)
    assert queue.decision_counts()["no_action"] == 0


def test_decisions_are_not_overwritten_and_unknown_items_refused(tmp_path: Path) -> None:
    queue = ReviewQueue(tmp_path / "q.duckdb", KEY)
    queue.add_flags(_flags(1))
    queue.record_decision("Q000001", "no_action", "family moved away", "pat")
    with pytest.raises(StoreError):
        queue.record_decision("Q000001", "offer_early_help", "changed my mind", "sam")
    with pytest.raises(StoreError):
        queue.record_decision("Q000999", "no_action", "x", "pat")


def test_only_a_recorded_decision_to_offer_help_leads_to_an_action(tmp_path: Path) -> None:
    queue = ReviewQueue(tmp_path / "q.duckdb", KEY)
    queue.add_flags(_flags(3))
    offer = queue.record_decision("Q000001", "offer_early_help", "school worried, family asked", "pat")
    declined = queue.record_decision("Q000002", "no_action", "already has a key worker", "pat")
    assert action_for(queue, offer) == EarlyHelpOffer("Q000001", "P0", "pat", "school worried, family asked")
    assert action_for(queue, declined) is None
    made_up = replace(offer, item_id="Q000003")  # no practitioner decided Q000003
    with pytest.raises(StoreError):
        action_for(queue, made_up)
    altered = replace(declined, decision="offer_early_help")  # a decision changed after recording
    with pytest.raises(StoreError):
        action_for(queue, altered)


def test_the_queue_is_unreadable_without_its_key(tmp_path: Path) -> None:
    """Person references, the factors and practitioners' reasons are not on disk in clear text."""
    queue = ReviewQueue(tmp_path / "q.duckdb", KEY)
    queue.add_flags([{**_flags(1)[0], "person_ref": "PSEUDOREF-7Q2X"}])
    queue.record_decision("Q000001", "no_action", "WORRIEDABOUTSIBLING", "practitioner-kf")
    on_disk = b"".join(f.read_bytes() for f in tmp_path.iterdir() if f.is_file())
    for text in (b"PSEUDOREF-7Q2X", b"WORRIEDABOUTSIBLING", b"practitioner-kf", b"referral"):
        assert text not in on_disk
    with pytest.raises(StoreError, match="cannot be opened with this store's key"):
        ReviewQueue(tmp_path / "q.duckdb", new_database_key()).items()


def test_a_plain_queue_from_an_earlier_famlink_is_moved_in_and_shredded(tmp_path: Path) -> None:
    store = RiskStore.open(tmp_path / "store")
    plain = sqlite3.connect(store.plain_queue)
    plain.executescript(
        "CREATE TABLE queue_items (item_id, person_ref, reference_date, model_id, score, rank, factors,"
        " created_at); CREATE TABLE decisions (item_id, decision, reason, practitioner, decided_at);"
        "INSERT INTO queue_items VALUES ('Q000001', 'P0', '2020-01-01', 'm', 0.4, 1, '[]', 't0'),"
        " ('Q000002', 'P1', '2020-01-01', 'm', 0.3, 2, '[]', 't0');"
        "INSERT INTO decisions VALUES ('Q000002', 'no_action', 'moved away', 'pat', 't1');"
    )
    plain.commit()
    plain.close()

    queue = store.review_queue()

    assert not store.plain_queue.exists()
    assert [(i.item_id, i.decision) for i in queue.items()] == [("Q000001", None), ("Q000002", "no_action")]
    assert queue.add_flags(_flags(1, "2020-02-01")) == ["Q000003"]


def test_a_queue_whose_key_was_destroyed_is_refused_not_recreated(tmp_path: Path) -> None:
    store = RiskStore.open(tmp_path / "store")
    store.review_queue().add_flags(_flags(1))
    store.queue_key.unlink()
    with pytest.raises(StoreError, match="key no longer exists"):
        store.review_queue()
    assert store.queue.exists()


def _calls_and_constructions(tree: ast.AST) -> list[tuple[str, str]]:
    """(enclosing function, called name) for every call in a module."""
    found: list[tuple[str, str]] = []
    for func in ast.walk(tree):
        if isinstance(func, ast.FunctionDef):
            for node in ast.walk(func):
                if isinstance(node, ast.Call):
                    name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
                    found.append((func.name, name))
    return found


def test_no_code_path_acts_on_a_score_without_a_recorded_decision() -> None:
    """An early-help offer is built only inside `action_for`, and no famlink code calls `action_for`
    or records decisions except the practitioner-facing review command."""
    builders, callers, deciders = set(), set(), set()
    for path in SRC.rglob("*.py"):
        module = str(path.relative_to(SRC))
        for function, called in _calls_and_constructions(ast.parse(path.read_text(encoding="utf-8"))):
            if called == "EarlyHelpOffer":
                builders.add((module, function))
            if called == "action_for":
                callers.add((module, function))
            if called == "record_decision":
                deciders.add((module, function))
    assert builders == {("risk/queue.py", "action_for")}
    assert callers == set()  # famlink never turns a decision into an action by itself
    assert deciders == {("risk/service.py", "decide")}


def test_scoring_code_writes_to_the_queue_and_audit_log_only() -> None:
    """The scoring function's writes, read from its source: queue items and an audit entry."""
    tree = ast.parse((RISK_SRC / "service.py").read_text(encoding="utf-8"))
    score_fn = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "score")
    called = {name for _, name in _calls_and_constructions(ast.Module(body=[score_fn], type_ignores=[]))}
    writers = {"add_flags", "audit", "write_table", "write_text", "write_bytes", "record_decision", "execute"}
    assert called & writers == {"add_flags", "audit"}
