"""Which pairs the matcher compares at all: a true pair no blocking rule brings together is lost
whatever the model would have said, so each way a record goes wrong needs a rule that survives it.

Each case is one person recorded twice, differently; the test standardises both records as the
matcher does and asks whether any of the model's prediction rules pairs them. The last case is a
stranger, to show the rules are not simply comparing everything.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa
import pytest

from famlink.linkage.inputs import check_people
from famlink.linkage.model import prediction_blocking_rules
from famlink.linkage.prepare import standardise_side

PERSON = {
    "first_name": "Joshua",
    "surname": "Berry",
    "date_of_birth": "1955-05-19",
    "postcode": "LS6 2AB",
    "address": "95 Leahy Place Crestfield",
}


def compared(left: dict[str, Any], right: dict[str, Any]) -> bool:
    con = duckdb.connect()
    for side, person in (("l", left), ("r", right)):
        table = pa.table({"record_id": [side], **{k: [v] for k, v in person.items()}})
        standardise_side(con, check_people(table, side), side, side)
    rules = [rule.get_blocking_rule("duckdb").blocking_rule_sql for rule in prediction_blocking_rules()]
    found = con.sql(f"SELECT count(*) FROM l, r WHERE {' OR '.join(f'({rule})' for rule in rules)}")
    return bool(found.fetchall()[0][0])


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"date_of_birth": "1955-05-18", "postcode": "LS6 2AD"}, True),  # DOB and postcode typos
        ({"first_name": "Josh", "surname": "Barry"}, True),  # both names recorded differently
        ({"first_name": "Berry", "surname": "Joshua", "postcode": "LS7 1ZZ"}, True),  # names swapped, moved
        # first name replaced, no DOB, postcode with two characters swapped, address misspelt
        (
            {
                "first_name": "Zachary",
                "date_of_birth": None,
                "postcode": "LS6 2BA",
                "address": "95 Leahy Lplace Crestkield",
            },
            True,
        ),
        # no date of birth, moved within the area (another district, another house)
        ({"date_of_birth": None, "postcode": "LS14 6YU", "address": "64 Green Close"}, True),
        (
            {
                "first_name": "Zachary",
                "surname": "Hughes",
                "date_of_birth": "1990-01-02",
                "postcode": "M13 9PL",
                "address": "2 Oxford Road",
            },
            False,
        ),
    ],
    ids=[
        "dob-and-postcode-typos",
        "both-names-varied",
        "names-swapped-after-a-move",
        "only-surname-and-a-swapped-postcode",
        "no-dob-and-moved-within-the-area",
        "a-stranger",
    ],
)
def test_a_person_recorded_differently_is_still_compared(changes: dict[str, Any], expected: bool) -> None:
    assert compared(PERSON, {**PERSON, **changes}) is expected
