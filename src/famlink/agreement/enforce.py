"""Enforce the agreement on a transfer: the one check both sealing and opening a package call.

Sealing and opening ask the same question ("may this sender send these columns to this recipient for
this purpose under this flow, today?"), so there is one function that answers it. Calling it on both
sides means a sender cannot be talked into exporting more than agreed, and a recipient refuses a
package even if the sender's copy of the agreement was edited.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime

from famlink.agreement.model import Agreement, Flow, Party
from famlink.errors import AgreementError


def today(as_of: date | datetime | None = None) -> date:
    """The date the agreement is judged on: `as_of` if given (tests, replays), else today in UTC."""
    if as_of is None:
        return datetime.now(UTC).date()
    return as_of.date() if isinstance(as_of, datetime) else as_of


def require_in_force(agreement: Agreement, as_of: date | datetime | None = None) -> None:
    """Refuse any transfer outside the agreement's validity period."""
    on = today(as_of)
    header = agreement.agreement
    if on < header.valid_from or on > header.valid_until:
        raise AgreementError(
            f"agreement '{agreement.id}' is not in force on {on.isoformat()} "
            f"(valid {header.valid_from.isoformat()} to {header.valid_until.isoformat()})",
            where=str(agreement.source) if agreement.source else None,
            fix="no data may move under an expired agreement: ask the controller for a renewed agreement",
        )


def require_party(agreement: Agreement, party_id: str, as_what: str) -> Party:
    party = agreement.party(party_id)
    if party is None:
        raise AgreementError(
            f"the {as_what} '{party_id}' is not a party to agreement '{agreement.id}'",
            fix="only signatories of the agreement may send or receive packages",
        )
    return party


def check_transfer(
    agreement: Agreement,
    *,
    sender: str,
    recipient: str,
    purpose: str,
    flow_id: str,
    tables: Mapping[str, Sequence[str]],
    as_of: date | datetime | None = None,
) -> Flow:
    """Return the flow that allows this transfer, or raise AgreementError saying what is not allowed."""
    require_in_force(agreement, as_of)
    require_party(agreement, sender, "sender")
    require_party(agreement, recipient, "recipient")
    flow = agreement.flow(flow_id)
    if flow is None:
        choices = ", ".join(f.id for f in agreement.flows_between(sender, recipient)) or "none"
        raise AgreementError(
            f"agreement '{agreement.id}' has no flow '{flow_id}'",
            fix=f"use one of: {choices}",
        )
    if not agreement.covers(flow.sender, sender) or not agreement.covers(flow.recipient, recipient):
        raise AgreementError(
            f"flow '{flow.id}' (clause {flow.clause}) does not allow '{sender}' to send to '{recipient}'",
            fix="check the flow's from/to in the agreement",
        )
    if flow.purpose != purpose:
        raise AgreementError(
            f"flow '{flow.id}' is for purpose '{flow.purpose}', not '{purpose}'",
            fix="data may only move for the purpose the agreement names for that flow",
        )
    _require_allowed_columns(flow, tables)
    return flow


def _require_allowed_columns(flow: Flow, tables: Mapping[str, Sequence[str]]) -> None:
    problems: list[str] = []
    for table, columns in tables.items():
        allowed = flow.tables.get(table)
        if allowed is None:
            problems.append(f"table '{table}' is not allowed on this flow")
            continue
        extra = [c for c in columns if c not in allowed]
        if extra:
            problems.append(f"table '{table}' has column(s) not allowed: {', '.join(extra)}")
    if problems:
        raise AgreementError(
            f"flow '{flow.id}' (clause {flow.clause}) forbids: " + "; ".join(problems),
            fix=f"send only what clause {flow.clause} lists: "
            + "; ".join(f"{t}({', '.join(c)})" for t, c in flow.tables.items()),
        )
