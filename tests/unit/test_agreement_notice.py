"""The privacy notice and the record of processing are rendered from the agreement and follow its changes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from famlink.agreement import DEMO_AGREEMENT, load_agreement
from famlink.agreement.render import render_notice, render_ropa
from famlink.cli.main import main
from famlink.errors import AgreementError


def text_of(html: str) -> str:
    inline_gone = re.sub(r"</?(strong|span)[^>]*>", "", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", inline_gone)).replace("&#39;", "'")


def edited(tmp_path: Path, old: str, new: str) -> Path:
    source = DEMO_AGREEMENT.read_text()
    assert old in source
    path = tmp_path / "agreement.yaml"
    path.write_text(source.replace(old, new))
    return path


def test_notice_says_who_receives_what_why_and_for_how_long() -> None:
    notice = text_of(render_notice(load_agreement(DEMO_AGREEMENT), council="LA01"))
    assert "Demo council 01 sends Office for National Statistics (trusted third party): name, sex" in notice
    assert "Department for Work and Pensions" in notice and "Ministry of Justice" in notice
    assert "Article 6(1)(e)" in notice and "Digital Economy Act 2017" in notice
    assert "each department: the identifiers in a match request" in notice and "1 month" in notice
    assert "Nothing comes back to the council" in notice
    assert "right to object" in notice


def test_changing_the_agreement_changes_the_notice(tmp_path: Path) -> None:
    before = text_of(render_notice(load_agreement(DEMO_AGREEMENT)))
    shorter = edited(tmp_path, "    keep_for: 1 month\n", "    keep_for: 14 days\n")
    after = text_of(render_notice(load_agreement(shorter)))
    assert "for no longer than 1 month" in before and "for no longer than 1 month" not in after
    assert "for no longer than 14 days" in after


def test_a_flow_back_to_councils_withdraws_the_promise(tmp_path: Path) -> None:
    path = edited(
        tmp_path,
        "  - id: council-withdrawal-to-agent\n",
        "  - id: back-to-council\n    clause: '9.9'\n    from: research\n    to: council\n"
        "    purpose: national-impact-study\n    tables:\n      results: [person_id]\n"
        "  - id: council-withdrawal-to-agent\n",
    )
    assert "Nothing comes back to the council" not in text_of(render_notice(load_agreement(path)))


def test_ropa_has_one_record_per_flow_with_its_clause_and_columns() -> None:
    agreement = load_agreement(DEMO_AGREEMENT)
    ropa = text_of(render_ropa(agreement))
    for flow in agreement.flows:
        assert f"Clause {flow.clause}: {flow.id}" in ropa
    assert "match_request: request_ref, first_name" in ropa
    assert "Criminal offence data is processed" in ropa


def test_notice_for_a_party_that_is_not_a_council_is_refused() -> None:
    with pytest.raises(AgreementError, match="not a council"):
        render_notice(load_agreement(DEMO_AGREEMENT), council="dwp")


def test_cli_writes_both_documents(tmp_path: Path) -> None:
    assert main(["agreement", "notice", str(DEMO_AGREEMENT), "--out", str(tmp_path / "n.html")]) == 0
    assert main(["agreement", "ropa", str(DEMO_AGREEMENT), "--out", str(tmp_path / "r.html")]) == 0
    assert "<h1>How your family" in (tmp_path / "n.html").read_text()
    assert "Article 30" in (tmp_path / "r.html").read_text()
