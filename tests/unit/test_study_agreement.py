"""The study's agreement names exactly the councils taking part, however many there are."""

from __future__ import annotations

from pathlib import Path

from famlink.agreement import load_agreement
from famlink.agreement.model import Role
from famlink.study.layout import agreement_for


def test_a_national_study_agreement_lists_all_150_councils(tmp_path: Path) -> None:
    councils = [f"LA{i:02d}" for i in range(1, 151)]
    path = tmp_path / "agreement.yaml"
    path.write_text(agreement_for(councils))
    agreement = load_agreement(path)
    signed = sorted(p.id for p in agreement.parties if p.role == Role.council)
    assert signed == sorted(councils)
    assert {"ons", "dwp", "moj", "dfe", "research"} <= {p.id for p in agreement.parties}


def test_a_small_study_agreement_lists_only_its_councils(tmp_path: Path) -> None:
    path = tmp_path / "agreement.yaml"
    path.write_text(agreement_for(["LA01", "LA02"]))
    agreement = load_agreement(path)
    assert sorted(p.id for p in agreement.parties if p.role == Role.council) == ["LA01", "LA02"]
