"""Where a study's stores, agreement and outputs live, and how packages travel between stores."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from famlink.agreement import load_agreement
from famlink.agreement.model import Agreement, Role
from famlink.agreement.templates import DEMO_AGREEMENT
from famlink.governance.store import RoleStore

AGENT = "ons"
RESEARCH = "research"
DEPARTMENTS = ("dwp", "moj", "dfe")


@dataclass(frozen=True)
class StudyLayout:
    """The folders of one study run."""

    root: Path

    @property
    def agreement_file(self) -> Path:
        return self.root / "agreement" / "agreement.yaml"

    @property
    def key_folder(self) -> Path:
        return self.root / "agreement" / "keys"

    def store_path(self, party: str) -> Path:
        return self.root / "stores" / party

    @property
    def outputs(self) -> Path:
        return self.root / "outputs"

    def agreement(self) -> Agreement:
        return load_agreement(self.agreement_file)


_COUNCIL_PARTY = re.compile(r"^  - \{id: LA\d+, role: council, .*\}\n", re.MULTILINE)


def agreement_for(councils: list[str]) -> str:
    """The demo agreement with the study's councils as its council signatories.

    In the real programme every participating council signed; the template lists 20 demo councils,
    and a national world has 150, so the study's copy names exactly the councils taking part.
    """
    text = DEMO_AGREEMENT.read_text(encoding="utf-8")
    first = _COUNCIL_PARTY.search(text)
    if first is None:  # a template without demo council lines: leave it as written
        return text
    parties = "".join(
        f'  - {{id: {c}, role: council, name: "Council {c}", controller: true}}\n' for c in councils
    )
    return text[: first.start()] + parties + _COUNCIL_PARTY.sub("", text[first.start() :])


def set_up_study(root: Path, councils: list[str], operator: str) -> StudyLayout:
    """Copy the demo agreement, create each party's store and keys, and file the public keys.

    Safe to run again: existing stores and keys are kept.
    """
    layout = StudyLayout(root)
    layout.agreement_file.parent.mkdir(parents=True, exist_ok=True)
    if not layout.agreement_file.exists():
        layout.agreement_file.write_text(agreement_for(councils))
    layout.key_folder.mkdir(parents=True, exist_ok=True)
    roles = {c: Role.council for c in councils}
    roles |= {AGENT: Role.agent, RESEARCH: Role.research} | dict.fromkeys(DEPARTMENTS, Role.department)
    for party, role in roles.items():
        path = layout.store_path(party)
        if not (path / "store.json").exists():
            RoleStore.create(path, role=role, party=party, operator=operator)
        pub = path / "keys" / f"{party}.pub"
        shutil.copyfile(pub, layout.key_folder / pub.name)
    return layout


def deliver(package: Path, recipient_store: Path) -> Path:
    """Hand a sealed package to its recipient (the secure transfer service, in one machine)."""
    inbox = recipient_store / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    target = inbox / package.name
    if not target.exists():
        tmp = target.with_suffix(target.suffix + ".partial")
        shutil.copyfile(package, tmp)
        tmp.replace(target)
    return target
