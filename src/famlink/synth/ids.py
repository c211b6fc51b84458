"""Valid-format UK identifiers and record references, generated in bulk.

Formats follow /work/shared/reference/uk-identifiers.md. NHS numbers come only from the never-issued
999 range: that range holds 1,000,000 stems of which about 909,000 have a valid check digit, so a
world larger than that gives NHS numbers to as many people as the range allows (see `nhs_pool`).
Unique references come from an affine permutation of a counter: unique by construction, yet they
look random, so a record's reference says nothing about its family or position.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from famlink.synth.text import digits, join, pool_array, take

UPN_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"
POSTCODE_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
POSTCODE_AREAS = (
    "LS",
    "M",
    "B",
    "BD",
    "L",
    "S",
    "NE",
    "LE",
    "NG",
    "CV",
    "DE",
    "ST",
    "WS",
    "WV",
    "DY",
    "HU",
    "BB",
    "BL",
    "OL",
    "SK",
    "WA",
    "WN",
    "PR",
    "FY",
    "LA",
    "CA",
    "DL",
    "TS",
    "SR",
    "DH",
    "HD",
    "HX",
    "WF",
    "DN",
    "LN",
    "PE",
    "NR",
    "IP",
    "CO",
    "CB",
    "LU",
    "MK",
    "NN",
    "OX",
    "RG",
    "SL",
    "HP",
    "AL",
    "SG",
    "CM",
    "SS",
    "ME",
    "CT",
    "BN",
    "RH",
    "GU",
    "PO",
    "SO",
    "BH",
    "SP",
    "SN",
    "BA",
    "BS",
    "GL",
    "HR",
    "WR",
    "TF",
    "SY",
    "CH",
    "EX",
    "PL",
    "TQ",
    "TR",
    "DT",
    "TA",
    "YO",
    "HG",
    "NW",
    "SE",
    "SW",
    "E",
    "N",
    "W",
    "EN",
    "HA",
    "UB",
    "TW",
    "KT",
    "SM",
    "CR",
    "BR",
    "DA",
    "RM",
    "IG",
)
_NINO_FIRST = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in "DFIQUV"]
_NINO_SECOND = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in "DFIOQUV"]
_NEVER_ALLOCATED = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}
NINO_PREFIXES = [a + b for a in _NINO_FIRST for b in _NINO_SECOND if a + b not in _NEVER_ALLOCATED]


def permuted(counter: np.ndarray, modulus: int, salt: int) -> np.ndarray:
    """A bijection of 0..modulus-1 (when counter < modulus): (a*x + b) mod m with a coprime to m."""
    multiplier = 7_919 * 104_729 + 2 * (salt % 1000)
    while np.gcd(multiplier, modulus) != 1:
        multiplier += 1
    return (np.asarray(counter, dtype=np.int64) * multiplier + salt) % modulus


def references(prefix: str, counter: np.ndarray, width: int, salt: int) -> pa.Array:
    """Unique references like 'DWP004817263' for counters 0..10**width - 1."""
    return join(prefix, digits(permuted(counter, 10**width, salt), width))


def sequential_ids(prefix: str, start: int, count: int, width: int) -> pa.Array:
    """Truth keys such as 'P000000001': plain and sequential, unlike any source reference."""
    return join(prefix, digits(np.arange(start, start + count), width))


def la_codes(councils: int) -> list[int]:
    """Three-digit DfE local authority codes, one per council (LA01 → 201, LA02 → 204, ...)."""
    return [201 + 3 * i for i in range(councils)]


def council_codes(councils: int) -> list[str]:
    return [f"LA{i + 1:02d}" for i in range(councils)]


def nhs_check_digits(stems: np.ndarray) -> np.ndarray:
    """Check digit of 999-range numbers from their 6-digit stems; 10 means 'never issued'."""
    total = 9 * 10 + 9 * 9 + 9 * 8
    for position, weight in enumerate((7, 6, 5, 4, 3, 2)):
        total = total + (stems // 10 ** (5 - position)) % 10 * weight
    check = 11 - total % 11
    return np.where(check == 11, 0, check)


def nhs_pool(seed: int) -> np.ndarray:
    """Every valid 999-range NHS number, shuffled by the seed (about 909,000 of them)."""
    stems = np.arange(1_000_000, dtype=np.int64)
    checks = nhs_check_digits(stems)
    valid = checks != 10
    numbers = 9_990_000_000 + stems[valid] * 10 + checks[valid]
    return np.random.default_rng([seed, 999]).permutation(numbers)


def format_nhs(numbers: np.ndarray) -> pa.Array:
    """10-digit strings; 0 (no number) becomes null."""
    text = pc.cast(pa.array(numbers.astype(np.int64)), pa.string())
    return pc.if_else(pa.array(numbers > 0), text, pa.nulls(len(numbers), pa.string()))


def ninos(counter: np.ndarray, salt: int, suffix: np.ndarray) -> pa.Array:
    """Unique NINOs with valid prefixes (no check digit exists); `suffix` indexes A–D."""
    numbers = permuted(counter, len(NINO_PREFIXES) * 1_000_000, salt)
    prefix = take(pool_array(NINO_PREFIXES), numbers // 1_000_000)
    return join(prefix, digits(numbers % 1_000_000, 6), take(pool_array(list("ABCD")), suffix))


def upn_check_index(body: np.ndarray) -> np.ndarray:
    """Index into UPN_ALPHABET of the check letter of 12-digit bodies (all digits: permanent UPNs)."""
    total = np.zeros(len(body), dtype=np.int64)
    for i in range(12):
        total += (body // 10 ** (11 - i)) % 10 * (i + 2)
    return total % 23


def upns(la_code: int, counter: np.ndarray, birth_year: np.ndarray, salt: int) -> pa.Array:
    """Unique permanent UPNs: check letter, LA code, establishment (4), year (2), serial (3)."""
    unique = permuted(counter, 10_000_000, salt)
    establishment, serial = unique // 1000, unique % 1000
    year = (np.asarray(birth_year) + 5) % 100
    body = la_code * 10**9 + establishment * 10**5 + year * 10**3 + serial
    return join(take(pool_array(list(UPN_ALPHABET)), upn_check_index(body)), digits(body, 12))


def postcodes(area: str, district: np.ndarray, sector: np.ndarray, unit: np.ndarray) -> pa.Array:
    """'LS12 3AB'-style postcodes; `unit` indexes pairs of the letters allowed in the inward code."""
    letters = pool_array(list(POSTCODE_UNIT_LETTERS))
    n = len(POSTCODE_UNIT_LETTERS)
    return join(
        area, digits(district, 1), " ", digits(sector, 1), take(letters, unit // n), take(letters, unit % n)
    )
