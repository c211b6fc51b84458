"""Linkage-quality figures: counts, match rates (overall and by group), invalid identifiers, the
match-weight distribution, and, given the truth, precision, recall, F1 and the kinds of error made.

Why match rates by sex, age band and ethnicity: linkage is known to fail more often for men, people in
their twenties, ethnic minorities and deprived groups; an evaluation built on biased links inherits
the bias, so it must be visible. No figure here carries an identifier value: errors are counted by
kind, never listed by record.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb
import pyarrow as pa

from famlink.linkage.options import LinkOptions
from famlink.linkage.prepare import invalid_identifier_counts

AGE_BANDS = (
    "CASE WHEN age < 10 THEN '0-9' WHEN age < 20 THEN '10-19' WHEN age < 30 THEN '20-29' "
    "WHEN age < 40 THEN '30-39' WHEN age < 50 THEN '40-49' WHEN age < 65 THEN '50-64' "
    "WHEN age IS NULL THEN 'unknown' ELSE '65+' END"
)


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    return con.execute(sql).fetchall()[0][0]


def _rates_by(con: duckdb.DuckDBPyConnection, people: str, linked_ids: str, group_sql: str) -> list[dict]:
    on = date.today().isoformat()
    rows = con.execute(
        f"""
        WITH p AS (SELECT *, date_diff('year', dob, DATE '{on}') AS age FROM {people})
        SELECT coalesce(CAST({group_sql} AS VARCHAR), 'unknown') AS grp, count(*) AS records,
               count(*) FILTER (WHERE record_id IN ({linked_ids})) AS linked
        FROM p GROUP BY grp ORDER BY grp
        """
    ).fetchall()
    return [
        {"group": g, "records": int(n), "linked": int(k), "match_rate": round(k / n, 6) if n else None}
        for g, n, k in rows
    ]


def _weight_histogram(con: duckdb.DuckDBPyConnection, table: str) -> list[dict]:
    rows = con.execute(
        f"""
        SELECT floor(match_weight / 2) * 2 AS bin, count(*) FROM {table}
        WHERE match_weight IS NOT NULL GROUP BY bin ORDER BY bin
        """
    ).fetchall()
    return [{"from": float(b), "to": float(b) + 2, "pairs": int(n)} for b, n in rows]


def _group_rates(con: duckdb.DuckDBPyConnection, people: str, linked: str) -> dict[str, list[dict]]:
    groups = {
        "sex": _rates_by(con, people, linked, "sex_std"),
        "age_band": _rates_by(con, people, linked, AGE_BANDS),
    }
    columns = [r[0] for r in con.execute(f"DESCRIBE {people}").fetchall()]
    if "ethnicity" in columns:
        groups["ethnicity"] = _rates_by(con, people, linked, "ethnicity")
    return groups


def link_quality(
    con: duckdb.DuckDBPyConnection, options: LinkOptions, truth: pa.Table | None
) -> dict[str, Any]:
    """Figures for a two-file linkage run (tables people_l, people_r, links, review, prob_pairs)."""
    left_n = _scalar(con, "SELECT count(*) FROM people_l")
    right_n = _scalar(con, "SELECT count(*) FROM people_r")
    links_n = _scalar(con, "SELECT count(*) FROM links")
    linked_left = _scalar(con, "SELECT count(DISTINCT left_id) FROM links")
    linked_right = _scalar(con, "SELECT count(DISTINCT right_id) FROM links")
    by_kind = dict(con.execute("SELECT decided_by, count(*) FROM links GROUP BY 1 ORDER BY 1").fetchall())
    review = dict(con.execute("SELECT reason, count(*) FROM review GROUP BY 1 ORDER BY 1").fetchall())
    report: dict[str, Any] = {
        "kind": "link",
        "options": {
            "threshold": options.threshold,
            "review_band": [options.review_low, options.effective_review_high],
            "many": options.many,
            "engine": options.engine,
            "seed": options.seed,
        },
        "counts": {
            "left_records": int(left_n),
            "right_records": int(right_n),
            "links": int(links_n),
            "exact_links": int(by_kind.get("exact", 0)),
            "probabilistic_links": int(by_kind.get("probabilistic", 0)),
            "review_pairs": {str(k): int(v) for k, v in review.items()},
            "scored_pairs": int(_scalar(con, "SELECT count(*) FROM prob_pairs")),
        },
        "match_rates": {
            "left": round(linked_left / left_n, 6) if left_n else None,
            "right": round(linked_right / right_n, 6) if right_n else None,
        },
        "invalid_identifiers": {
            "left": invalid_identifier_counts(con, "people_l"),
            "right": invalid_identifier_counts(con, "people_r"),
        },
        "match_weight_histogram": {
            "links": _weight_histogram(con, "links"),
            "scored_pairs": _weight_histogram(con, "prob_pairs"),
        },
        "match_rates_by_group_left": _group_rates(con, "people_l", "SELECT left_id FROM links"),
    }
    if truth is not None:
        report["truth"] = evaluate_against_truth(con, truth)
    return report


def dedupe_quality(
    con: duckdb.DuckDBPyConnection, options: LinkOptions, truth: pa.Table | None
) -> dict[str, Any]:
    """Figures for a deduplication run (tables people_l, links, review, clusters, prob_pairs)."""
    records = _scalar(con, "SELECT count(*) FROM people_l")
    clusters = _scalar(con, "SELECT count(DISTINCT cluster_id) FROM clusters")
    in_pairs = "SELECT left_id FROM links UNION SELECT right_id FROM links"
    review = dict(con.execute("SELECT reason, count(*) FROM review GROUP BY 1 ORDER BY 1").fetchall())
    report: dict[str, Any] = {
        "kind": "dedupe",
        "options": {"threshold": options.threshold, "engine": options.engine, "seed": options.seed},
        "counts": {
            "records": int(records),
            "clusters": int(clusters),
            "duplicate_pairs_accepted": int(_scalar(con, "SELECT count(*) FROM links")),
            "review_pairs": {str(k): int(v) for k, v in review.items()},
            "scored_pairs": int(_scalar(con, "SELECT count(*) FROM prob_pairs")),
        },
        "match_rates": {
            "records_with_a_duplicate": round(_scalar(con, f"SELECT count(*) FROM ({in_pairs})") / records, 6)
            if records
            else None
        },
        "invalid_identifiers": {"input": invalid_identifier_counts(con, "people_l")},
        "match_weight_histogram": {
            "links": _weight_histogram(con, "links"),
            "scored_pairs": _weight_histogram(con, "prob_pairs"),
        },
        "match_rates_by_group_left": _group_rates(con, "people_l", in_pairs),
    }
    if truth is not None:
        report["truth"] = evaluate_against_truth(con, truth, symmetric=True)
    return report


def evaluate_against_truth(
    con: duckdb.DuckDBPyConnection, truth: pa.Table, *, symmetric: bool = False
) -> dict[str, Any]:
    """Precision, recall and F1 of `links` against true pairs, and counts of each kind of error."""
    con.register("_truth_arrow", truth.select(["left_id", "right_id"]))
    order = (
        "least(left_id, right_id) AS left_id, greatest(left_id, right_id) AS right_id"
        if symmetric
        else "left_id, right_id"
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _truth AS SELECT DISTINCT {order} FROM _truth_arrow "
        "WHERE left_id IS NOT NULL AND right_id IS NOT NULL"
    )
    con.unregister("_truth_arrow")
    con.execute(f"CREATE OR REPLACE TEMP TABLE _found AS SELECT DISTINCT {order} FROM links")
    tp = _scalar(con, "SELECT count(*) FROM _found JOIN _truth USING (left_id, right_id)")
    found = _scalar(con, "SELECT count(*) FROM _found")
    true_n = _scalar(con, "SELECT count(*) FROM _truth")
    precision = tp / found if found else 1.0
    recall = tp / true_n if true_n else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "true_pairs": int(true_n),
        "accepted_pairs": int(found),
        "true_positives": int(tp),
        "precision": round(precision, 6),
        "recall": round(recall, 6),
        "f1": round(f1, 6),
        "false_links_by_kind": _false_link_kinds(con),
        "missed_links_by_kind": _missed_link_kinds(con),
    }


def _false_link_kinds(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    rows = con.execute(
        """
        SELECT CASE
                 WHEN k.decided_by = 'exact' THEN 'exact pass: shared identifier, different person'
                 WHEN l.surname_std = r.surname_std AND (l.postcode_std = r.postcode_std
                      OR l.address_std = r.address_std) THEN 'probabilistic: same household'
                 WHEN t.left_id IS NOT NULL THEN 'probabilistic: took a linked person''s record'
                 ELSE 'probabilistic: different household' END AS kind, count(*)
        FROM links k
        LEFT JOIN _truth tt ON tt.left_id = k.left_id AND tt.right_id = k.right_id
        LEFT JOIN (SELECT DISTINCT left_id FROM _truth) t ON t.left_id = k.left_id
        JOIN people_l l ON l.record_id = k.left_id
        JOIN people_r r ON r.record_id = k.right_id
        WHERE tt.left_id IS NULL
        GROUP BY kind ORDER BY kind
        """
    ).fetchall()
    return {str(k): int(n) for k, n in rows}


def _missed_link_kinds(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    rows = con.execute(
        """
        SELECT CASE
                 WHEN v.left_id IS NOT NULL THEN 'sent to review: ' || v.reason
                 WHEN k.left_id IS NOT NULL THEN 'record linked to someone else'
                 WHEN p.left_id IS NOT NULL THEN 'scored below the threshold'
                 ELSE 'never compared (blocking) or below the review band' END AS kind, count(*)
        FROM _truth t
        LEFT JOIN _found f USING (left_id, right_id)
        LEFT JOIN review v ON v.left_id = t.left_id AND v.right_id = t.right_id
        LEFT JOIN (SELECT DISTINCT left_id FROM links) k ON k.left_id = t.left_id
        LEFT JOIN prob_pairs p ON p.left_id = t.left_id AND p.right_id = t.right_id
        WHERE f.left_id IS NULL
        GROUP BY kind ORDER BY kind
        """
    ).fetchall()
    return {str(k): int(n) for k, n in rows}
