"""Builders for the governance tests: an agreement in a temp folder, parties' keys, stores, tables.

Kept as plain functions (not conftest fixtures) so each test reads top to bottom and owns its data.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from famlink.agreement import DEMO_AGREEMENT, Agreement, load_agreement
from famlink.agreement.public_keys import add_key_to_agreement
from famlink.governance.store import RoleStore

IDENTIFIER_COLUMNS = [
    "council_ref", "family_ref", "first_name", "middle_names", "surname", "sex", "date_of_birth",
    "postcode", "address", "nhs_number", "nino", "upn",
]  # fmt: skip
PURPOSE = "national-impact-study"
TO_AGENT = "council-identifiers-to-agent"


def identifiers_table(rows: int = 6) -> pa.Table:
    """Synthetic identifiers with distinctive values (NHS numbers from the 999 range only)."""
    return pa.table(
        {
            "council_ref": [f"C{i:05d}" for i in range(rows)],
            "family_ref": [f"F{i // 3:04d}" for i in range(rows)],
            "first_name": [f"QUENTINIA{i}" for i in range(rows)],
            "middle_names": [None] * rows,
            "surname": [f"ZAMBRANOVIC{i}" for i in range(rows)],
            "sex": ["F", "M"] * (rows // 2) + ["F"] * (rows % 2),
            "date_of_birth": [f"19{70 + i}-0{1 + i % 9}-1{i % 9}" for i in range(rows)],
            "postcode": [f"ZZ9{i} 9ZZ" for i in range(rows)],
            "address": [f"{i} Nowhere Lane" for i in range(rows)],
            "nhs_number": [f"99900{i:05d}" for i in range(rows)],
            "nino": [f"QQ12{i:04d}C" for i in range(rows)],
            "upn": [f"A99999999{i:04d}" for i in range(rows)],
        }
    )


def identifier_values(table: pa.Table) -> list[str]:
    """Every identifier value in the table (everything but the pseudonymous references and sex)."""
    skip = {"council_ref", "family_ref", "sex", "request_ref"}
    return [str(v) for name in table.column_names if name not in skip for v in table[name].to_pylist() if v]


@dataclass
class Deployment:
    """An agreement with keys filed for the parties that have stores, and those stores."""

    root: Path
    agreement_file: Path
    stores: dict[str, RoleStore]
    _loaded: Agreement | None = None

    def agreement(self) -> Agreement:
        if self._loaded is None:
            self._loaded = load_agreement(self.agreement_file)
        return self._loaded


ROLES = {"LA01": "council", "LA02": "council", "ons": "agent", "dwp": "department", "research": "research"}


def deploy(root: Path, parties: tuple[str, ...] = ("LA01", "ons")) -> Deployment:
    """Copy the demo agreement, create a store per party and file each party's public keys."""
    folder = root / "agreement"
    folder.mkdir(parents=True)
    agreement_file = folder / "agreement.yaml"
    shutil.copyfile(DEMO_AGREEMENT, agreement_file)
    stores = {
        party: RoleStore.create(root / party, role=ROLES[party], party=party, operator="tester")
        for party in parties
    }
    bare = load_agreement(agreement_file, with_keys=False)
    for party, store in stores.items():
        add_key_to_agreement(bare, store.keys_dir / f"{party}.pub")
    return Deployment(root, agreement_file, stores)


def store_tables(store: RoleStore) -> list[str]:
    """Names of user tables in every segment of a store (the import register included)."""
    with store.session() as con:
        rows = con.execute(
            "SELECT database_name || '.' || table_name FROM duckdb_tables() WHERE NOT internal"
        ).fetchall()
    return sorted(r[0] for r in rows)
