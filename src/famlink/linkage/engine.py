"""The linkage pipeline: check, standardise, exact pass, Splink pass, household guard, assignment.

Decisions per candidate pair, in order:
1. a corroborated shared valid identifier is accepted (decided_by 'exact'); a shared identifier with
   a different sex and dates of birth years apart goes to review ('identifier_conflict');
2. the rest is scored by Splink; a pair at or above the threshold is accepted unless the household
   guard fires: first names, dates of birth or sex clearly disagree with no identifier to vouch for them.
   Those are the sibling, twin and junior/senior pairs that share a surname, address and postcode;
   they go to review ('household_conflict'), never to the links;
3. pairs in the review band go to review ('review_band');
4. accepted pairs are assigned one-to-one (unless `many`), exact before probabilistic, best first.
"""

from __future__ import annotations

import duckdb

from famlink.linkage import splink_pass
from famlink.linkage.assign import assign_one_to_one
from famlink.linkage.backend import Backend
from famlink.linkage.model import ADDRESS_LEVELS, DOB_LEVELS, FIRST_NAME_LEVELS, POSTCODE_LEVELS, gamma_of
from famlink.linkage.options import LinkOptions
from famlink.linkage.splink_pass import TrainedModel

_GENERATION_APART = gamma_of(DOB_LEVELS, "a_generation_apart")
_DOB_CLOSE_NOT_EXACT = (
    f"BETWEEN {gamma_of(DOB_LEVELS, 'within_a_year')} AND {gamma_of(DOB_LEVELS, 'transposed')}"
)
_FIRST_NAME_LOOSE = (
    f"BETWEEN {gamma_of(FIRST_NAME_LEVELS, 'middle_or_swapped')} AND {gamma_of(FIRST_NAME_LEVELS, 'jw_0.80')}"
)

HOUSEHOLD_GUARD = f"""(
    {{enabled}} AND gamma_national_id < 1
    AND (gamma_date_of_birth = {_GENERATION_APART}
         OR ((gamma_first_name = 0
              OR (gamma_date_of_birth = 0 AND gamma_first_name < {gamma_of(FIRST_NAME_LEVELS, "exact")})
              OR (gamma_sex = 0 AND gamma_first_name < {gamma_of(FIRST_NAME_LEVELS, "exact")})
              OR (gamma_first_name {_FIRST_NAME_LOOSE} AND gamma_date_of_birth {_DOB_CLOSE_NOT_EXACT}))
             AND (gamma_postcode = {gamma_of(POSTCODE_LEVELS, "exact")}
                  OR gamma_address >= {gamma_of(ADDRESS_LEVELS, "jw_0.9")})))
)"""
"""Pairs that look like two members of one family, held back from the links whatever their score,
when no identifier vouches for them.

Anywhere: dates of birth a generation apart (twelve years or more, with the day or month differing
too, so not a mistyped year): a parent and the child named after them, who may have left home and
still live in the same district (with rare names, three names in common would otherwise outweigh the
dates). At the same home (the same full postcode, or the same or a nearly identical address:
Jaro-Winkler 0.9 or above): first names or dates of birth that clearly differ, the profile of a
sibling or twin. 'Clearly differ': first names at the 'else' level (not a typo, nickname, one-edit
slip or sound-alike), or dates that differ otherwise (not a typo, transposition or a year out) under
first names that are not the same. Also at the same home: a recorded sex that differs under first
names that are not the same: a boy and a girl, often twins, with near names (LOUISE and LOUIS,
CHLOE and CHARLES, a girl recorded surname-first beside her brother). Sex disagrees between two
records of one person in about 0.1% of pairs (the project's reference on identifier errors); with a
first name that is not the same as well, at the same home, a sibling is far likelier (MoJ, national
world: 16 of 73 false links were this, and no true link). Also guarded: a
first name that only loosely agrees (Jaro-Winkler 0.80-0.92, one edit, a sound-alike, a middle name
or crossed name) together with a date of birth that is close but not exact (transposed, to within a
year): siblings or parent and child with similar names (ELLA and ELLIE) born on the same day of
another year, or within a year. One person with both a loose name and a wrong date is rarer; three
of five false links at 10k x 100k (seed 23) were this profile.

Not guarded: the same first name with a date of birth a few years out. Siblings do not share a first
name, and a parent who passes one on is a generation older, so at one home that is one person whose
date was mistyped (MoJ, national world: 313 such true pairs were held here before). Levels are named
through model.gamma_of, never by bare number.
"""

HOUSEHOLD_SHARE = 0.02
"""The guard applies when at least this share of one file's records share their home with another
record of the same file. Files of people from families (council indexes: 40% even in a 7% sample;
DWP: 91% on the synthetic world) are far above it; a file of unrelated individuals, one per address
(FEBRL: none), is below it. There a shared home is no evidence of a relative, and a pair agreeing on
everything but a replaced name or date is most likely one person recorded wrongly."""

HOUSEHOLD_MIN_RECORDS = 500
"""Below this many records with a home in every file, the files cannot show that homes are not
shared, and the guard stays on (a safe default for small inputs)."""

_HOUSED_SHARE = """
SELECT count(*), coalesce(avg(CASE WHEN n > 1 THEN 1.0 ELSE 0.0 END), 0) FROM (
    SELECT count(*) OVER (PARTITION BY postcode_std, coalesce(address_std, surname_std)) AS n
    FROM {people} WHERE postcode_std IS NOT NULL AND coalesce(address_std, surname_std) IS NOT NULL
)
"""
"""Share of records that share their home with another record of the same file: the same postcode
and address, or, without an address, the same postcode and surname."""


def households_present(con: duckdb.DuckDBPyConnection, people: tuple[str, str]) -> bool:
    """True unless the files are large enough to tell and neither shows households.

    See HOUSEHOLD_SHARE and HOUSEHOLD_MIN_RECORDS.
    """
    rows = [con.execute(_HOUSED_SHARE.format(people=table)).fetchall()[0] for table in people]
    too_small = max(int(homed) for homed, _ in rows) < HOUSEHOLD_MIN_RECORDS
    return too_small or max(float(share) for _, share in rows) >= HOUSEHOLD_SHARE


def remaining_records(
    con: duckdb.DuckDBPyConnection, people: str, side: str, target: str, *, exclude: bool
) -> None:
    """`target`: `people` minus records already accepted by the exact pass on `side` (if `exclude`)."""
    where = f"WHERE record_id NOT IN (SELECT {side}_id FROM exact_pairs WHERE decision = 'accept')"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {target} AS SELECT * FROM {people}_model {where if exclude else ''}"
    )


def orient_scored_pairs(
    con: duckdb.DuckDBPyConnection, scored: str, *, dedupe: bool, household_guard: bool
) -> None:
    """`prob_pairs(left_id, right_id, ...)`: Splink's pairs with the left file's record on the left."""
    swap = "false" if dedupe else f"source_dataset_l = '{splink_pass.RIGHT_NAME}'"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE prob_pairs AS
        SELECT CASE WHEN {swap} THEN record_id_r ELSE record_id_l END AS left_id,
               CASE WHEN {swap} THEN record_id_l ELSE record_id_r END AS right_id,
               match_weight, match_probability,
               {HOUSEHOLD_GUARD.format(enabled=str(household_guard).lower())} AS household_conflict
        FROM {scored}
        """
    )


def decide(con: duckdb.DuckDBPyConnection, options: LinkOptions) -> None:
    """Create `candidates` (to be assigned) and `review_all` (clerical review) from both passes."""
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE candidates AS
        SELECT left_id, right_id, 1.0::DOUBLE AS match_probability, NULL::DOUBLE AS match_weight,
               'exact' AS decided_by, 2 AS priority
        FROM exact_pairs WHERE decision = 'accept'
        UNION ALL
        SELECT left_id, right_id, match_probability, match_weight, 'probabilistic', 1
        FROM prob_pairs
        WHERE match_probability >= {options.threshold} AND NOT household_conflict
        {_mutual_best_sql(options)}
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE review_all AS
        SELECT left_id, right_id, NULL::DOUBLE AS match_probability, NULL::DOUBLE AS match_weight,
               reason
        FROM exact_pairs WHERE decision = 'review'
        UNION ALL
        SELECT left_id, right_id, match_probability, match_weight,
               CASE WHEN household_conflict THEN 'household_conflict' ELSE 'review_band' END
        FROM prob_pairs
        WHERE (household_conflict AND match_probability >= {options.review_low})
           OR (match_probability >= {options.review_low}
               AND match_probability < {options.effective_review_high})
        """
    )


MUTUAL_BEST_FLOOR = 0.6
"""Lowest probability at which a rival-free pair is accepted (chosen on the 100k x 1M benchmark)."""


def _mutual_best_sql(options: LinkOptions) -> str:
    """Also accept a review-band pair that is each side's only candidate.

    As the other file grows, Splink's probabilities fall for true pairs too (the prior shrinks), so
    true pairs drift into the review band. A pair with no rival on either side (no other scored pair
    for its left or its right record at or above `review_low`), no household conflict, neither
    record settled by the exact pass, and a probability of at least MUTUAL_BEST_FLOOR is the
    one-to-one reading of the evidence. It is accepted below the threshold with priority 0, so
    assignment prefers every ordinary candidate over it. Off with `mutual_best=False`, and with
    `many` (several records per person).
    """
    if not options.mutual_best or options.many:
        return ""
    return f"""
        UNION ALL
        SELECT p.left_id, p.right_id, p.match_probability, p.match_weight, 'probabilistic', 0
        FROM prob_pairs p
        WHERE p.match_probability >= {max(options.review_low, MUTUAL_BEST_FLOOR)}
          AND p.match_probability < {options.threshold}
          AND NOT p.household_conflict
          AND NOT EXISTS (SELECT 1 FROM prob_pairs o WHERE o.left_id = p.left_id AND o.right_id <> p.right_id
                          AND o.match_probability >= {options.review_low})
          AND NOT EXISTS (SELECT 1 FROM prob_pairs o WHERE o.right_id = p.right_id AND o.left_id <> p.left_id
                          AND o.match_probability >= {options.review_low})
          AND NOT EXISTS (SELECT 1 FROM exact_pairs e WHERE e.left_id = p.left_id)
          AND NOT EXISTS (SELECT 1 FROM exact_pairs e WHERE e.right_id = p.right_id)
    """


def assign(con: duckdb.DuckDBPyConnection, options: LinkOptions) -> None:
    """Create `links` from `candidates`, and `review` from `review_all` minus settled records."""
    if options.many:
        con.execute("CREATE OR REPLACE TEMP TABLE links AS SELECT * FROM candidates")
        unsettled = (
            "NOT EXISTS (SELECT 1 FROM links k WHERE k.left_id = v.left_id AND k.right_id = v.right_id)"
        )
    else:
        assign_one_to_one(con, "candidates", "links")
        # Two NOT EXISTS rather than one with OR: DuckDB hash-joins each, but turns an OR into a
        # nested loop (review pairs × links), which took over 15 minutes in a national department match.
        unsettled = (
            "NOT EXISTS (SELECT 1 FROM links k WHERE k.left_id = v.left_id) "
            "AND NOT EXISTS (SELECT 1 FROM links k WHERE k.right_id = v.right_id)"
        )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE review AS
        SELECT * FROM review_all v
        WHERE v.reason = 'identifier_conflict' OR ({unsettled})
        ORDER BY left_id, right_id
        """
    )


def train_or_load(
    con: duckdb.DuckDBPyConnection, tables: list[str], options: LinkOptions, trained: TrainedModel | None
) -> TrainedModel:
    """The given model, or a freshly trained one."""
    return trained if trained is not None else splink_pass.train(con, tables, options)


def score(
    backend: Backend,
    con: duckdb.DuckDBPyConnection,
    tables: list[str],
    trained: TrainedModel,
    options: LinkOptions,
    *,
    dedupe: bool,
    people: tuple[str, str],
) -> None:
    """Splink-score `tables` into `prob_pairs` (empty if either side has nothing left to link).

    `people` are the two sides' full standardised files (the same one twice when deduplicating):
    the household guard applies if they show households (including records the exact pass settled).
    Deduplication always applies it: one person's own duplicates would look like housemates there.
    """
    sizes = [con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in tables]
    if min(sizes) == 0 or (dedupe and sizes[0] < 2):
        con.execute(
            """CREATE OR REPLACE TEMP TABLE prob_pairs (left_id VARCHAR, right_id VARCHAR,
               match_weight DOUBLE, match_probability DOUBLE, household_conflict BOOLEAN)"""
        )
        return
    splink_pass.predict(backend, tables, trained, options.review_low, "_scored")
    guard = options.household_guard and (dedupe or households_present(con, people))
    orient_scored_pairs(con, "_scored", dedupe=dedupe, household_guard=guard)
    con.execute("DROP TABLE _scored")
