"""Family research ids: families are joined across councils when they share a person.

A family that moved between councils arrives as two council families; the people the agent finds in
both make them one research family. Union-find over (council, family_ref) keys, with edges from
people who appear in more than one family. Written by hand because it is a dozen lines and the
inputs are tiny (one edge per person who moved).
"""

from __future__ import annotations

from collections import defaultdict

import pyarrow as pa

from famlink.governance.references import fresh_references

FamilyKey = tuple[str, str]


def _find(parent: dict[FamilyKey, FamilyKey], key: FamilyKey) -> FamilyKey:
    while parent[key] != key:
        parent[key] = parent[parent[key]]
        key = parent[key]
    return key


def family_ids_for(assignments: pa.Table, existing: dict[FamilyKey, str]) -> pa.Table:
    """(council, family_ref, family_id) for every family in `assignments`, reusing existing ids."""
    keys = list(zip(assignments["council"].to_pylist(), assignments["family_ref"].to_pylist(), strict=True))
    parent: dict[FamilyKey, FamilyKey] = {k: k for k in keys}
    by_person: dict[str, list[FamilyKey]] = defaultdict(list)
    for key, person in zip(keys, assignments["person_id"].to_pylist(), strict=True):
        by_person[person].append(key)
    for members in by_person.values():
        for other in members[1:]:
            parent[_find(parent, other)] = _find(parent, members[0])
    groups: dict[FamilyKey, list[FamilyKey]] = defaultdict(list)
    for key in sorted(set(keys)):
        groups[_find(parent, key)].append(key)
    unused = iter(fresh_references("RF", len(groups), taken=set(existing.values())))
    out: dict[FamilyKey, str] = {}
    for members in groups.values():
        known = sorted(existing[m] for m in members if m in existing)
        family_id = known[0] if known else next(unused)
        out.update(dict.fromkeys(members, family_id))
    return pa.table(
        {
            "council": [k[0] for k in out],
            "family_ref": [k[1] for k in out],
            "family_id": list(out.values()),
        }
    )
