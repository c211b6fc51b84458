"""Parties' public keys: the small `.pub` file `famlink keys new` exports, and the agreement's key folder.

A party's public keys are part of the agreement: they are what every other party trusts when it
encrypts to that party or checks its signature. They can be written inline under the party in the
YAML (production: pasted in before signature) or, for demos and key rotation, kept as one
`<party>.pub` file per party in the folder named by `agreement.public_keys` (relative to the YAML).
Inline keys win; a key file that disagrees with an inline key is refused rather than guessed at.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from famlink.agreement.model import Agreement, Party
from famlink.errors import AgreementError

AGE_RECIPIENT = re.compile(r"^age1[0-9a-z]{58}$")
ED25519_PUBLIC = re.compile(r"^ed25519:[A-Za-z0-9+/]{43}=$")
PUB_SUFFIX = ".pub"


@dataclass(frozen=True)
class PublicKeys:
    """What others need to send to a party (age recipient) and to trust it (Ed25519 verify key)."""

    party: str
    encryption_key: str
    signing_key: str

    def render(self) -> str:
        return (
            f"# famlink public keys for party '{self.party}': safe to share, paste into the agreement\n"
            f"party: {self.party}\nencryption_key: {self.encryption_key}\nsigning_key: {self.signing_key}\n"
        )

    def write(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.render(), encoding="utf-8")
        return path


def read_public_keys(path: Path) -> PublicKeys:
    """Read and check a `.pub` file; refuse anything that is not exactly a party and two keys."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise AgreementError("the public key file cannot be read", where=str(path)) from exc
    if not isinstance(data, dict) or set(data) != {"party", "encryption_key", "signing_key"}:
        raise AgreementError(
            "a public key file holds exactly: party, encryption_key, signing_key",
            where=str(path),
            fix="export it again with `famlink keys new` or `famlink keys export`",
        )
    keys = PublicKeys(str(data["party"]), str(data["encryption_key"]), str(data["signing_key"]))
    if not AGE_RECIPIENT.match(keys.encryption_key) or not ED25519_PUBLIC.match(keys.signing_key):
        raise AgreementError("the public key file holds a malformed key", where=str(path))
    return keys


def key_folder(agreement: Agreement) -> Path | None:
    """The folder of `<party>.pub` files, resolved against the agreement file's own folder."""
    if agreement.agreement.public_keys is None:
        return None
    folder = Path(agreement.agreement.public_keys)
    if not folder.is_absolute() and agreement.source is not None:
        folder = agreement.source.parent / folder
    return folder


def merge_key_folder(agreement: Agreement) -> Agreement:
    """Fill in each party's keys from the key folder, refusing files that contradict inline keys."""
    folder = key_folder(agreement)
    if folder is None or not folder.is_dir():
        return agreement
    parties = [_with_file_keys(party, folder / f"{party.id}{PUB_SUFFIX}") for party in agreement.parties]
    return agreement.model_copy(update={"parties": tuple(parties)})


def _with_file_keys(party: Party, path: Path) -> Party:
    if not path.is_file():
        return party
    keys = read_public_keys(path)
    if keys.party != party.id:
        raise AgreementError(
            f"the key file for party '{party.id}' names party '{keys.party}'", where=str(path)
        )
    for inline, filed in ((party.encryption_key, keys.encryption_key), (party.signing_key, keys.signing_key)):
        if inline is not None and inline != filed:
            raise AgreementError(
                f"party '{party.id}' has an inline key that differs from its key file",
                where=str(path),
                fix="remove the stale one: the agreement must name exactly one key per party",
            )
    return party.model_copy(update={"encryption_key": keys.encryption_key, "signing_key": keys.signing_key})


def add_key_to_agreement(agreement: Agreement, pub_file: Path, *, replace: bool = False) -> Path:
    """Copy a party's `.pub` file into the agreement's key folder after checking it belongs there."""
    keys = read_public_keys(pub_file)
    if agreement.party(keys.party) is None:
        raise AgreementError(
            f"'{keys.party}' is not a party to agreement '{agreement.id}'",
            where=str(pub_file),
            fix="add the party to the agreement first (a new party needs a new version of the agreement)",
        )
    folder = key_folder(agreement)
    if folder is None:
        raise AgreementError(
            "the agreement names no public key folder",
            where=str(agreement.source),
            fix="add `public_keys: keys` under `agreement:` or paste the keys inline under the party",
        )
    target = folder / f"{keys.party}{PUB_SUFFIX}"
    if target.exists() and read_public_keys(target) != keys and not replace:
        raise AgreementError(
            f"party '{keys.party}' already has different keys in the agreement",
            where=str(target),
            fix="pass --replace to rotate the keys (packages sealed to the old key can no longer be opened)",
        )
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(pub_file, target)
    return target
