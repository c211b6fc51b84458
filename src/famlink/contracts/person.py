"""The person-identifier schema that every famlink command reading people accepts.

Every column is a string: identifiers are labels, not numbers (an NHS number or UPN with a leading
zero must survive), and dates arrive in whatever format a council sends; `identifiers/` parses them.
Any identifier column may be absent or empty in a given source; only `record_id` is required.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa


@dataclass(frozen=True)
class Column:
    """One column of a boundary table: its name, Arrow type, and whether it identifies a person."""

    name: str
    type: pa.DataType = field(default_factory=pa.string)
    required: bool = False
    identifier: bool = False
    description: str = ""


@dataclass(frozen=True)
class TableContract:
    """A named table layout; `columns` is ordered as files are written."""

    name: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def identifier_names(self) -> list[str]:
        return [c.name for c in self.columns if c.identifier]

    def arrow_schema(self) -> pa.Schema:
        return pa.schema([pa.field(c.name, c.type) for c in self.columns])


PERSON_CONTRACT = TableContract(
    name="person",
    columns=(
        Column("record_id", required=True, description="the source's own record key, unique per file"),
        Column("first_name", identifier=True, description="forename as recorded"),
        Column("middle_names", identifier=True, description="middle names, space separated"),
        Column("surname", identifier=True, description="family name as recorded"),
        Column("sex", description="M, F, or as recorded (U for unknown)"),
        Column("date_of_birth", identifier=True, description="any format councils send; parsed later"),
        Column("postcode", identifier=True, description="UK postcode as recorded"),
        Column("address", identifier=True, description="first line(s) of address"),
        Column("nhs_number", identifier=True, description="10-digit NHS number"),
        Column("nino", identifier=True, description="National Insurance number"),
        Column("upn", identifier=True, description="13-character Unique Pupil Number"),
    ),
)

PERSON_COLUMNS: list[str] = PERSON_CONTRACT.names
IDENTIFIER_COLUMNS: list[str] = PERSON_CONTRACT.identifier_names
