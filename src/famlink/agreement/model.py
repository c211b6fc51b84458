"""The data sharing agreement as validated objects.

The agreement is the single source of truth for who may send what to whom and why: the exchange
layer asks it before sealing and before opening a package, retention asks it how long each holding
may be kept, and the notices are rendered from it. Keeping these as plain, frozen pydantic models
(rather than dicts passed around) means a typo in the YAML is caught once, at load time, with its line.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

IDENT_PATTERN = r"^[A-Za-z][A-Za-z0-9_.-]*$"
TABLE_PATTERN = r"^[a-z][a-z0-9_]*$"  # becomes a DuckDB table name in the recipient's store
_PERIOD = re.compile(r"^\s*(\d+)\s*(day|week|month|year)s?\s*$")


class Role(StrEnum):
    """The four kinds of party in the national data flow (the separation principle's columns)."""

    council = "council"
    agent = "agent"
    department = "department"
    research = "research"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Party(_Strict):
    """A signatory: its public keys may be written inline or supplied by the agreement's key folder."""

    id: str = Field(pattern=IDENT_PATTERN)
    role: Role
    name: str
    controller: bool = False
    description: str = ""
    encryption_key: str | None = Field(default=None, pattern=r"^age1[0-9a-z]{58}$")
    signing_key: str | None = Field(default=None, pattern=r"^ed25519:[A-Za-z0-9+/]{43}=$")


class LegalBasis(_Strict):
    """One legal gateway or condition (e.g. UK GDPR Art 6(1)(e)) that flows and purposes cite."""

    id: str = Field(pattern=IDENT_PATTERN)
    instrument: str
    provision: str
    summary: str


class Purpose(_Strict):
    """Why data moves; every flow serves exactly one purpose and inherits its legal bases."""

    id: str = Field(pattern=IDENT_PATTERN)
    description: str
    legal_bases: tuple[str, ...] = Field(min_length=1)
    notice: str = ""
    data_subjects: tuple[str, ...] = ()


class Flow(_Strict):
    """A permitted transfer: sender(s), recipient(s), purpose and the exact columns of each table.

    `sender` and `recipient` name a party id or a role (every party of that role), so "each council
    sends identifiers to the agent" is one clause rather than one per council.
    """

    id: str = Field(pattern=IDENT_PATTERN)
    clause: str
    sender: str = Field(alias="from")
    recipient: str = Field(alias="to")
    purpose: str
    description: str = ""
    tables: dict[str, tuple[str, ...]] = Field(min_length=1)

    @field_validator("tables")
    @classmethod
    def _columns_listed(cls, tables: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for name, columns in tables.items():
            if not re.match(TABLE_PATTERN, name) or name.startswith("famlink_"):
                raise ValueError(
                    f"table name '{name}' must be lower case letters, digits and _ (not starting famlink_)"
                )
            if not columns:
                raise ValueError(f"table '{name}' lists no columns")
            if len(set(columns)) != len(columns):
                raise ValueError(f"table '{name}' lists a column twice")
            odd = [c for c in columns if not re.match(r"^[A-Za-z][A-Za-z0-9_]*$", str(c))]
            if odd:
                raise ValueError(f"table '{name}' has column names that are not simple names: {odd}")
        return tables


class Retention(_Strict):
    """How long a holder may keep a holding: a period from when it was received, and/or a fixed date."""

    id: str = Field(pattern=IDENT_PATTERN)
    clause: str
    holder: str
    holding: str = Field(pattern=IDENT_PATTERN)
    description: str = ""
    keep_for: str | None = None
    not_after: date | None = None

    @field_validator("keep_for")
    @classmethod
    def _period_reads(cls, value: str | None) -> str | None:
        if value is not None and not _PERIOD.match(value):
            raise ValueError("keep_for must read like '1 month', '31 days', '5 years'")
        return value

    def expires_on(self, held_since: date) -> date:
        """The last day the holding may be kept: the earlier of the period's end and the fixed date."""
        candidates = [self.not_after] if self.not_after else []
        if self.keep_for:
            candidates.append(add_period(held_since, self.keep_for))
        if not candidates:
            raise ValueError(f"retention rule {self.id} has neither keep_for nor not_after")
        return min(candidates)


def add_period(start: date, period: str) -> date:
    """Add '1 month' or '5 years' to a date; month ends clamp (31 Jan + 1 month = 28/29 Feb)."""
    match = _PERIOD.match(period)
    if not match:
        raise ValueError(f"unreadable period '{period}'")
    count, unit = int(match.group(1)), match.group(2)
    if unit == "day":
        return start + timedelta(days=count)
    if unit == "week":
        return start + timedelta(weeks=count)
    months = count * (12 if unit == "year" else 1)
    year, month = divmod(start.month - 1 + months, 12)
    year, month = start.year + year, month + 1
    for day in (start.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has a 28th")


class Header(_Strict):
    """The agreement's identity and life span, and where the parties' public key files live."""

    id: str = Field(pattern=IDENT_PATTERN)
    title: str
    version: str = "1"
    valid_from: date
    valid_until: date
    public_keys: str | None = None
    contact: str = ""
    complaints: str = ""
    rights: tuple[str, ...] = ()
    how_to_object: str = ""
    transfers_abroad: str = "No"
    automated_decisions: str = "No"


class Agreement(_Strict):
    """The whole agreement. Build it with `famlink.agreement.load_agreement`, which checks references."""

    agreement: Header
    parties: tuple[Party, ...] = Field(min_length=1)
    legal_bases: tuple[LegalBasis, ...] = Field(min_length=1)
    purposes: tuple[Purpose, ...] = Field(min_length=1)
    flows: tuple[Flow, ...] = Field(min_length=1)
    retention: tuple[Retention, ...] = ()
    source: Path | None = Field(default=None, exclude=True)

    @property
    def id(self) -> str:
        return self.agreement.id

    def party(self, party_id: str) -> Party | None:
        return next((p for p in self.parties if p.id == party_id), None)

    def purpose(self, purpose_id: str) -> Purpose | None:
        return next((p for p in self.purposes if p.id == purpose_id), None)

    def flow(self, flow_id: str) -> Flow | None:
        return next((f for f in self.flows if f.id == flow_id), None)

    def legal_basis(self, basis_id: str) -> LegalBasis | None:
        return next((b for b in self.legal_bases if b.id == basis_id), None)

    def parties_named_by(self, selector: str) -> list[Party]:
        """The parties a flow or retention rule's `from`/`to`/`holder` names: a party id, else a role."""
        party = self.party(selector)
        if party is not None:
            return [party]
        return [p for p in self.parties if p.role == selector]

    def covers(self, selector: str, party_id: str) -> bool:
        return any(p.id == party_id for p in self.parties_named_by(selector))

    def retention_for(self, party_id: str, holding: str) -> Retention | None:
        """The rule limiting how long `party_id` may keep `holding`, if the agreement sets one."""
        return next(
            (r for r in self.retention if r.holding == holding and self.covers(r.holder, party_id)), None
        )

    def flows_between(self, sender: str, recipient: str) -> list[Flow]:
        return [
            f for f in self.flows if self.covers(f.sender, sender) and self.covers(f.recipient, recipient)
        ]
