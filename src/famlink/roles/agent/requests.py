"""What the agent asks each department: who, and with which identifiers.

Data minimisation in practice: DfE is asked only about people of school age at some point in the
study window, MoJ about people old enough to be held responsible (10+), DWP about people of working
age; each gets only the identifier fields its flow in the agreement lists. A person's request uses
their most complete council record (fewest missing identifiers, then the latest export).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RequestRule:
    """One department's request: its flow, its fields and who qualifies."""

    department: str
    flow: str
    fields: tuple[str, ...]
    born_on_or_after: str | None = None
    born_on_or_before: str | None = None

    @property
    def eligible_sql(self) -> str:
        conditions = ["true"]
        if self.born_on_or_after:
            conditions.append(f"(dob IS NULL OR dob >= DATE '{self.born_on_or_after}')")
        if self.born_on_or_before:
            conditions.append(f"(dob IS NULL OR dob <= DATE '{self.born_on_or_before}')")
        return f"SELECT person_id FROM best_records WHERE {' AND '.join(conditions)} ORDER BY person_id"


_NAMES = ("first_name", "middle_names", "surname", "sex", "date_of_birth", "postcode", "address")
REQUEST_RULES: tuple[RequestRule, ...] = (
    RequestRule("dwp", "agent-request-to-dwp", (*_NAMES, "nino"), born_on_or_before="2006-12-31"),
    # MoJ gets the NINO too: the police record it for most offenders, and without it the people
    # who changed surname and moved share only first name, sex and date of birth with their record
    # (national world: recall 99.64% without, 99.83% with; precision 99.981% and 99.985%).
    RequestRule("moj", "agent-request-to-moj", (*_NAMES, "nino"), born_on_or_before="2012-12-31"),
    RequestRule("dfe", "agent-request-to-dfe", (*_NAMES, "upn"), born_on_or_after="1994-09-01"),
)

BEST_RECORDS_SQL = """
    CREATE OR REPLACE TEMP TABLE best_records AS
    SELECT * EXCLUDE (rank) FROM (
        SELECT p.person_id, s.dob, i.*,
               row_number() OVER (
                   PARTITION BY p.person_id
                   ORDER BY (CASE WHEN i.nhs_number IS NULL THEN 1 ELSE 0 END
                             + CASE WHEN i.nino IS NULL THEN 1 ELSE 0 END
                             + CASE WHEN i.upn IS NULL THEN 1 ELSE 0 END
                             + CASE WHEN i.postcode IS NULL THEN 1 ELSE 0 END
                             + CASE WHEN i.date_of_birth IS NULL THEN 1 ELSE 0 END),
                            m.recorded_at DESC, i.council_ref) AS rank
        FROM person_ids p
        JOIN identifiers i ON i.council_ref = p.council_ref
        JOIN famlink_imports m ON m.package_id = i._package_id AND m.party = p.council
        LEFT JOIN identifiers_std s ON s.record_id = i.council_ref
    ) WHERE rank = 1
"""


def request_sql(rule: RequestRule, cycle: str) -> str:
    """The match request table for `rule`: request_ref plus the department's allowed fields."""
    fields = ", ".join(f"b.{f}" for f in rule.fields)
    return (
        f"SELECT r.request_ref, {fields} FROM requests r JOIN best_records b USING (person_id) "
        f"WHERE r.cycle = '{cycle}' AND r.department = '{rule.department}' ORDER BY r.request_ref"
    )
