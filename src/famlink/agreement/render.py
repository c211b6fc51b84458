"""Render the privacy notice and the record of processing activities from the agreement itself.

Both documents are built from the same objects the exchange layer enforces, so what families are
told (who receives which information, why, under which law, for how long) cannot drift from what the
software allows. Each document carries the agreement's id, version and the SHA-256 of the file it was
rendered from, so a reader can tell which agreement a printed notice describes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import jinja2

from famlink.agreement.model import Agreement, Flow, Party, Retention, Role
from famlink.errors import AgreementError
from famlink.tabular import atomic_path

TEMPLATES = Path(__file__).parent / "templates"

FIELD_LABELS: dict[str, str] = {
    "first_name": "name",
    "middle_names": "name",
    "surname": "name",
    "date_of_birth": "date of birth",
    "month_of_birth": "month of birth",
    "sex": "sex",
    "postcode": "address",
    "address": "address",
    "nhs_number": "NHS number",
    "nino": "National Insurance number",
    "upn": "Unique Pupil Number",
    "group": "whether your family joined the programme",
    "start_date": "when your family started the programme",
    "problems_met": "why your family was included in the programme",
    "relationship": "your place in the family (parent, child)",
    "age_at_start": "age",
    **dict.fromkeys(
        ("crime_asb", "domestic_abuse", "children_need_help", "health", "school_attendance", "worklessness"),
        "which of the programme's six problems applied to your family",
    ),
}
TABLE_LABELS: dict[str, str] = {
    "benefit_spells": "benefits received",
    "employment_spells": "periods of employment",
    "events": "contact with the criminal justice system",
    "attendance": "school attendance",
    "exclusions": "school exclusions",
    "attainment": "results at each Key Stage",
    "children_in_need": "time as a child in need, on a protection plan or looked after",
    "match_quality": "how well the records could be matched (counts only)",
    "council_key_map": "a reference number replacing your identity",
    "request_key_map": "a reference number replacing your identity",
    "withdrawals": "that you objected (reference numbers only)",
    "purge_requests": "that your details must be deleted (reference numbers only)",
}
REFERENCE_COLUMNS = frozenset(
    {"council_ref", "family_ref", "request_ref", "person_id", "family_id", "council"}
)
CRIMINAL_TABLES = frozenset({"events"})
SPECIAL_CATEGORY_COLUMNS = frozenset({"health", "domestic_abuse", "children_need_help"})


@dataclass(frozen=True)
class SharedItem:
    """One line of the notice: who sends what to whom, why and under which clause."""

    sender: str
    recipient: str
    information: list[str]
    description: str
    clause: str
    purpose: str


def information_in(flow: Flow) -> list[str]:
    """Plain-language categories a flow carries, in the order first met, without duplicates."""
    labels: list[str] = []
    for table, columns in flow.tables.items():
        if table in TABLE_LABELS:
            found = [TABLE_LABELS[table]]
        else:
            found = [FIELD_LABELS.get(c, c.replace("_", " ")) for c in columns if c not in REFERENCE_COLUMNS]
        labels.extend(label for label in found if label not in labels)
    return labels


def _names(agreement: Agreement, selector: str, council: Party | None = None) -> str:
    parties = agreement.parties_named_by(selector)
    if council is not None and selector == Role.council:
        return council.name
    if len(parties) > 1 and all(p.role == selector for p in parties):
        return f"each {selector}" if selector != Role.council else "your council"
    return ", ".join(p.name for p in parties)


def shared_items(agreement: Agreement, council: Party | None = None) -> list[SharedItem]:
    items = []
    for flow in agreement.flows:
        purpose = agreement.purpose(flow.purpose)
        items.append(
            SharedItem(
                sender=_names(agreement, flow.sender, council),
                recipient=_names(agreement, flow.recipient, council),
                information=information_in(flow),
                description=flow.description,
                clause=flow.clause,
                purpose=purpose.description if purpose else flow.purpose,
            )
        )
    return items


def retention_line(agreement: Agreement, rule: Retention) -> str:
    holder = _names(agreement, rule.holder)
    what = rule.description or rule.holding.replace("_", " ")
    limits = []
    if rule.keep_for:
        limits.append(f"for no longer than {rule.keep_for}")
    if rule.not_after:
        limits.append(f"and in any case not after {rule.not_after:%d %B %Y}")
    return f"{holder}: {what}, {' '.join(limits)} (clause {rule.clause})"


def nothing_returns_to_councils(agreement: Agreement) -> bool:
    return not any(
        p.role == Role.council for f in agreement.flows for p in agreement.parties_named_by(f.recipient)
    )


def _fingerprint(agreement: Agreement) -> str:
    if agreement.source is None or not agreement.source.is_file():
        return "unknown"
    return hashlib.sha256(agreement.source.read_bytes()).hexdigest()


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["sentence"] = lambda text: text[:1].upper() + text[1:]
    return env


def _context(agreement: Agreement, council: Party | None) -> dict[str, object]:
    return {
        "agreement": agreement,
        "header": agreement.agreement,
        "council": council,
        "items": shared_items(agreement, council),
        "retention": [retention_line(agreement, r) for r in agreement.retention],
        "bases": agreement.legal_bases,
        "controllers": [p for p in agreement.parties if p.controller],
        "nothing_returns": nothing_returns_to_councils(agreement),
        "fingerprint": _fingerprint(agreement),
        "criminal": any(t in CRIMINAL_TABLES for f in agreement.flows for t in f.tables),
        "special": any(set(c) & SPECIAL_CATEGORY_COLUMNS for f in agreement.flows for c in f.tables.values()),
    }


def write_html(path: Path, html: str) -> Path:
    """Write a rendered document atomically (a reader never sees half a notice)."""
    with atomic_path(path) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return path


def render_notice(agreement: Agreement, council: str | None = None) -> str:
    """The privacy notice for families (HTML), optionally naming one council."""
    party = agreement.party(council) if council else None
    if council and (party is None or party.role != Role.council):
        raise AgreementError(f"'{council}' is not a council in agreement '{agreement.id}'")
    return _environment().get_template("notice.html.j2").render(_context(agreement, party))


def render_ropa(agreement: Agreement) -> str:
    """The record of processing activities (UK GDPR Article 30) as an HTML table per flow."""
    return _environment().get_template("ropa.html.j2").render(_context(agreement, None))
