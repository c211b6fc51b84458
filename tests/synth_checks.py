"""Independent format checkers for the synthetic world's tests (deliberately not famlink.identifiers:
the generator and the standardiser are checked against each other's reading of the spec)."""

from __future__ import annotations

import re

NINO_BAD_FIRST = set("DFIQUV")
NINO_BAD_SECOND = set("DFIOQUV")
NINO_NEVER = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
POSTCODE = re.compile(
    r"^(?P<area>[A-PR-UWYZ][A-HK-Y]?)(?P<district>[0-9][0-9A-Z]?)"
    r" (?P<sector>[0-9])(?P<unit>[ABD-HJLNP-UW-Z]{2})$"
)


def nhs_ok(value: str) -> bool:
    if not re.fullmatch(r"\d{10}", value):
        return False
    total = sum(int(d) * w for d, w in zip(value[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(value[9])


def nino_ok(value: str) -> bool:
    if not re.fullmatch(r"[A-Z]{2}\d{6}[A-D]", value):
        return False
    return value[0] not in NINO_BAD_FIRST and value[1] not in NINO_BAD_SECOND and value[:2] not in NINO_NEVER


def upn_ok(value: str) -> bool:
    if not re.fullmatch(r"[A-Z]\d{12}", value):
        return False
    total = sum(int(ch) * pos for pos, ch in enumerate(value[1:], start=2))
    return UPN_LETTERS[total % 23] == value[0]


def postcode_ok(value: str) -> bool:
    return POSTCODE.fullmatch(value) is not None
