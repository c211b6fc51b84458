"""Load the agreement YAML, reporting every problem in the file at once, each with its line.

Why compose the YAML by hand instead of `yaml.safe_load`: the node tree keeps each value's line, so a
pydantic error located at ('flows', 2, 'to') can be reported as "line 57". A person fixing an
agreement should see the whole list in one run, not one error per attempt.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from famlink.agreement.model import Agreement, Role
from famlink.agreement.public_keys import merge_key_folder
from famlink.errors import AgreementError

PathKey = tuple[str | int, ...]
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is 30x faster; both keep line marks


@dataclass(frozen=True)
class AgreementProblem:
    """One thing wrong in the file: where (line and dotted path) and what."""

    line: int | None
    path: str
    message: str

    def render(self) -> str:
        at = f"line {self.line}" if self.line else "file"
        return f"{at}: {self.path + ': ' if self.path else ''}{self.message}"


@dataclass
class AgreementFileError(AgreementError):
    """The agreement file is invalid; `problems` lists every problem found, in line order."""

    problems: list[AgreementProblem] = field(default_factory=list)


def load_agreement(path: str | Path, *, with_keys: bool = True) -> Agreement:
    """Read, validate and cross-check an agreement file; fill parties' keys from its key folder."""
    source = Path(path)
    if not source.is_file():
        raise AgreementError("the agreement file does not exist", where=str(source), fix="check the path")
    data, lines, problems = _compose(source.read_text(encoding="utf-8"))
    if not problems:
        problems.extend(_schema_problems(data, lines))
        problems.extend(_reference_problems(data, lines))
    if problems:
        _raise_all(source, problems)
    agreement = Agreement.model_validate({**data, "source": source})
    return merge_key_folder(agreement) if with_keys else agreement


def _raise_all(source: Path, problems: list[AgreementProblem]) -> None:
    ordered = sorted(problems, key=lambda p: (p.line or 0, p.path))
    listing = "\n".join(f"  - {p.render()}" for p in ordered)
    raise AgreementFileError(
        f"the agreement has {len(ordered)} problem(s):\n{listing}",
        where=str(source),
        fix="correct each line listed, then run `famlink agreement check` again",
        problems=ordered,
    )


def _compose(text: str) -> tuple[dict[str, Any], dict[PathKey, int], list[AgreementProblem]]:
    """Parse YAML keeping a line for every value; duplicate keys are problems, not silent overwrites."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}, [AgreementProblem(None, "", "the file is empty")]
        data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        return {}, {}, [AgreementProblem(line, "", f"not valid YAML ({getattr(exc, 'problem', 'syntax')})")]
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        return {}, {}, [AgreementProblem(1, "", "the file must be a mapping of sections")]
    lines: dict[PathKey, int] = {}
    problems: list[AgreementProblem] = []
    _walk(node, (), lines, problems)
    return data, lines, problems


def _walk(
    node: yaml.Node, here: PathKey, lines: dict[PathKey, int], problems: list[AgreementProblem]
) -> None:
    lines[here] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                problems.append(
                    AgreementProblem(key_node.start_mark.line + 1, _dotted(here), f"'{key}' twice")
                )
            seen.add(key)
            _walk(value_node, (*here, key), lines, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*here, index), lines, problems)


def _dotted(path: Iterable[str | int]) -> str:
    return ".".join(f"[{p}]" if isinstance(p, int) else p for p in path).replace(".[", "[")


def _line_of(lines: Mapping[PathKey, int], path: PathKey) -> int | None:
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None


def _schema_problems(data: dict[str, Any], lines: Mapping[PathKey, int]) -> list[AgreementProblem]:
    try:
        Agreement.model_validate(data)
    except ValidationError as exc:
        errors = [(tuple(p for p in e["loc"] if isinstance(p, str | int)), e) for e in exc.errors()]
        inner = {loc[:-1] for loc, _ in errors if len(loc) > 1}
        # pydantic also calls a list "too short" when its only items failed: report the items only
        return [
            AgreementProblem(_line_of(lines, loc), _dotted(loc), _plain(error))
            for loc, error in errors
            if not (error["type"] == "too_short" and any(i[: len(loc)] == loc for i in inner))
        ]
    return []


def _plain(error: Any) -> str:
    if error["type"] == "missing":
        return "required but missing"
    if error["type"] == "extra_forbidden":
        return "not a field the agreement knows (check the spelling)"
    return str(error["msg"]).removeprefix("Value error, ")


def _items(data: Mapping[str, Any], section: str) -> list[tuple[int, dict[str, Any]]]:
    items = data.get(section)
    if not isinstance(items, list):
        return []
    return [(i, item) for i, item in enumerate(items) if isinstance(item, dict)]


def _reference_problems(data: dict[str, Any], lines: Mapping[PathKey, int]) -> list[AgreementProblem]:
    """Cross-references pydantic cannot see: unknown parties, purposes, bases; duplicate ids; dates."""
    problems: list[AgreementProblem] = []

    def report(path: PathKey, message: str) -> None:
        problems.append(AgreementProblem(_line_of(lines, path), _dotted(path), message))

    ids: dict[str, set[str]] = {}
    for section in ("parties", "legal_bases", "purposes", "flows", "retention"):
        ids[section] = set()
        for i, item in _items(data, section):
            ident = str(item.get("id"))
            if ident in ids[section]:
                report((section, i, "id"), f"id '{ident}' is used twice in {section}")
            ids[section].add(ident)
    for i, item in _items(data, "parties"):
        if str(item.get("id")) in Role.__members__ and item.get("id") != item.get("role"):
            report(("parties", i, "id"), "a party id may only be a role name if it is that role's party")
    selectors = ids["parties"] | set(Role.__members__)
    for i, item in _items(data, "purposes"):
        for j, basis in enumerate(item.get("legal_bases") or []):
            if basis not in ids["legal_bases"]:
                report(("purposes", i, "legal_bases", j), f"unknown legal basis '{basis}'")
    for i, item in _items(data, "flows"):
        for end in ("from", "to"):
            if end in item and item[end] not in selectors:
                report(("flows", i, end), f"'{item[end]}' is neither a party nor a role")
        if "purpose" in item and item["purpose"] not in ids["purposes"]:
            report(("flows", i, "purpose"), f"unknown purpose '{item['purpose']}'")
        if item.get("from") is not None and item.get("from") == item.get("to"):
            report(("flows", i, "to"), "a flow cannot send to its own sender")
    for i, item in _items(data, "retention"):
        if "holder" in item and item["holder"] not in selectors:
            report(("retention", i, "holder"), f"'{item['holder']}' is neither a party nor a role")
        if not item.get("keep_for") and not item.get("not_after"):
            report(("retention", i), "give keep_for, not_after, or both")
    header = data.get("agreement")
    if isinstance(header, dict):
        valid_from, valid_until = header.get("valid_from"), header.get("valid_until")
        if valid_from is not None and valid_until is not None and str(valid_until) < str(valid_from):
            report(("agreement", "valid_until"), "the agreement ends before it starts")
    return problems
