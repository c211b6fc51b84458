"""The schema of every table that crosses a boundary, defined once.

Role code, commands and tests import these contracts instead of spelling column names again, so a
change to what flows between parties is a change in one place (and in the data sharing agreement).
"""

from famlink.contracts.person import (
    IDENTIFIER_COLUMNS,
    PERSON_COLUMNS,
    PERSON_CONTRACT,
    Column,
    TableContract,
)

__all__ = ["IDENTIFIER_COLUMNS", "PERSON_COLUMNS", "PERSON_CONTRACT", "Column", "TableContract"]
