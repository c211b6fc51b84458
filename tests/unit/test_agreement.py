"""The data sharing agreement: the demo loads, every error is reported at once with its line, rules hold."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from famlink.agreement import DEMO_AGREEMENT, AgreementFileError, check_transfer, load_agreement
from famlink.agreement.model import add_period
from famlink.agreement.public_keys import PublicKeys, add_key_to_agreement
from famlink.cli.main import main
from famlink.errors import AgreementError

BROKEN = """\
agreement:
  id: broken
  title: "An agreement with many mistakes"
  valid_from: 2026-01-01
  valid_until: 2025-01-01
parties:
  - {id: LA01, role: council, name: "Council one"}
  - {id: ons, role: agnet, name: "Agent"}
  - {id: LA01, role: council, name: "Council one again"}
legal_bases:
  - {id: art6, instrument: UK GDPR, provision: "Art 6(1)(e)", summary: public task}
purposes:
  - id: study
    description: the study
    legal_bases: [art6, art99]
flows:
  - id: ids
    clause: "4.1"
    from: council
    to: nobody
    purpose: study
    tables:
      identifiers: [council_ref, surname]
    colour: blue
  - id: attrs
    clause: "4.2"
    from: council
    to: ons
    purpose: sightseeing
    tables:
      attributes: []
retention:
  - {id: r1, clause: "7", holder: department, holding: match_request, keep_for: "a while"}
"""

EXPECTED_LINES = {
    5: "ends before it starts",
    8: "council",  # role 'agnet' is not one of the four roles
    9: "used twice",
    15: "unknown legal basis 'art99'",
    20: "'nobody' is neither a party nor a role",
    24: "not a field",
    29: "unknown purpose 'sightseeing'",
    31: "lists no columns",
    33: "keep_for must read like",
}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "agreement.yaml"
    path.write_text(text)
    return path


def test_demo_agreement_loads_with_every_party_the_documents_name() -> None:
    agreement = load_agreement(DEMO_AGREEMENT)
    ids = {p.id for p in agreement.parties}
    assert {"ons", "dwp", "moj", "dfe", "research", "LA01"} <= ids
    bases = {b.provision for b in agreement.legal_bases}
    assert {"Article 6(1)(e)", "Article 9(2)(g)", "Article 9(2)(j)"} <= bases
    assert any("Digital Economy Act 2017" in b.instrument for b in agreement.legal_bases)


def test_every_error_is_reported_at_once_with_its_line(tmp_path: Path) -> None:
    with pytest.raises(AgreementFileError) as caught:
        load_agreement(write(tmp_path, BROKEN))
    found = {(p.line, p.message) for p in caught.value.problems}
    assert len(found) == len(EXPECTED_LINES)
    for line, fragment in EXPECTED_LINES.items():
        assert any(at == line and fragment in message for at, message in found), (line, fragment, found)


def test_duplicate_yaml_keys_are_errors_not_silent_overwrites(tmp_path: Path) -> None:
    text = DEMO_AGREEMENT.read_text().replace('  version: "1"\n', '  version: "1"\n  version: "2"\n')
    with pytest.raises(AgreementFileError) as caught:
        load_agreement(write(tmp_path, text))
    assert [p.line for p in caught.value.problems] == [13]


def test_yaml_syntax_error_names_its_line(tmp_path: Path) -> None:
    with pytest.raises(AgreementFileError) as caught:
        load_agreement(write(tmp_path, "agreement:\n  id: [unclosed\nparties: []\n"))
    assert caught.value.problems[0].line == 3


def test_check_cli_lists_all_problems_with_the_agreement_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["agreement", "check", str(write(tmp_path, BROKEN))]) == AgreementError.exit_code
    err = capsys.readouterr().err
    assert all(f"line {line}:" in err for line in EXPECTED_LINES)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"sender": "LA99"}, "'LA99' is not a party"),
        ({"recipient": "dwp"}, "does not allow 'LA01' to send to 'dwp'"),
        ({"purpose": "withdrawal"}, "is for purpose 'national-impact-study'"),
        ({"flow_id": "no-such-flow"}, "has no flow"),
        ({"tables": {"identifiers": ["council_ref", "ethnicity"]}}, "not allowed: ethnicity"),
        ({"tables": {"outcomes": ["council_ref"]}}, "table 'outcomes' is not allowed"),
        ({"as_of": date(2019, 12, 31)}, "not in force"),
        ({"as_of": date(2031, 1, 1)}, "not in force"),
    ],
)
def test_transfers_outside_the_agreement_are_refused(change: dict[str, object], message: str) -> None:
    request: dict[str, object] = {
        "sender": "LA01",
        "recipient": "ons",
        "purpose": "national-impact-study",
        "flow_id": "council-identifiers-to-agent",
        "tables": {"identifiers": ["council_ref", "surname", "nhs_number"]},
        "as_of": date(2026, 6, 1),
    }
    agreement = load_agreement(DEMO_AGREEMENT)
    assert check_transfer(agreement, **request).clause == "4.1"  # type: ignore[arg-type]
    with pytest.raises(AgreementError, match=message):
        check_transfer(agreement, **{**request, **change})  # type: ignore[arg-type]


def test_retention_periods_follow_the_documents() -> None:
    agreement = load_agreement(DEMO_AGREEMENT)
    request_rule = agreement.retention_for("moj", "match_request")
    research_rule = agreement.retention_for("research", "linked_dataset")
    assert request_rule is not None and research_rule is not None
    assert request_rule.expires_on(date(2026, 1, 31)) == date(2026, 2, 28)  # one month, clamped
    assert research_rule.expires_on(date(2020, 3, 1)) == date(2025, 3, 1)  # five years
    assert research_rule.expires_on(date(2027, 3, 1)) == date(2030, 12, 31)  # the fixed date comes first
    assert agreement.retention_for("ons", "match_request") is None


def test_add_period_handles_leap_days() -> None:
    assert add_period(date(2024, 2, 29), "1 year") == date(2025, 2, 28)
    assert add_period(date(2026, 1, 1), "31 days") == date(2026, 2, 1)


def _pub(tmp_path: Path, party: str, key_byte: str = "A") -> Path:
    keys = PublicKeys(party, "age1" + "q" * 58, "ed25519:" + key_byte * 43 + "=")
    return keys.write(tmp_path / f"{party}.pub")


def test_add_key_files_a_signatorys_key_and_the_loader_uses_it(tmp_path: Path) -> None:
    agreement_file = write(tmp_path, DEMO_AGREEMENT.read_text())
    add_key_to_agreement(load_agreement(agreement_file), _pub(tmp_path, "dwp"))
    party = load_agreement(agreement_file).party("dwp")
    assert party is not None and party.signing_key == "ed25519:" + "A" * 43 + "="


def test_add_key_refuses_strangers_and_silent_rotation(tmp_path: Path) -> None:
    agreement_file = write(tmp_path, DEMO_AGREEMENT.read_text())
    with pytest.raises(AgreementError, match="not a party"):
        add_key_to_agreement(load_agreement(agreement_file), _pub(tmp_path, "LA99"))
    add_key_to_agreement(load_agreement(agreement_file), _pub(tmp_path, "dwp"))
    rotated = _pub(tmp_path / "new", "dwp", key_byte="B")
    with pytest.raises(AgreementError, match="already has different keys"):
        add_key_to_agreement(load_agreement(agreement_file), rotated)
    add_key_to_agreement(load_agreement(agreement_file), rotated, replace=True)
    party = load_agreement(agreement_file).party("dwp")
    assert party is not None and party.signing_key == "ed25519:" + "B" * 43 + "="
