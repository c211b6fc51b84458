"""A party's key pairs: X25519 (age) to receive packages, Ed25519 to sign the packages it sends.

The private halves are written once, with mode 0600, into the party's store (`<store>/keys/`) and
are never exported by famlink; only the `.pub` file leaves, to be filed in the agreement. Two key pairs
rather than one because age keys cannot sign: the recipient must be able to check *who* sealed a
package (signature) independently of *who* can open it (encryption).
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pyrage import x25519

from famlink.agreement.public_keys import PUB_SUFFIX, PublicKeys
from famlink.errors import StoreError

AGE_IDENTITY_FILE = "identity.age"
SIGNING_KEY_FILE = "signing.pem"
PARTY_FILE = "party"
PRIVATE_MODE = 0o600


@dataclass(frozen=True)
class PartyKeys:
    """A party's private keys, loaded from its store for one command and never written elsewhere."""

    party: str
    identity: x25519.Identity
    signing: Ed25519PrivateKey

    def public(self) -> PublicKeys:
        return PublicKeys(self.party, str(self.identity.to_public()), encode_verify_key(self.signing))

    def sign(self, message: bytes) -> str:
        return base64.b64encode(self.signing.sign(message)).decode("ascii")


def encode_verify_key(private: Ed25519PrivateKey) -> str:
    raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "ed25519:" + base64.b64encode(raw).decode("ascii")


def signature_is_valid(signing_key: str, message: bytes, signature: str) -> bool:
    """True only if `signature` is the holder of `signing_key`'s Ed25519 signature over `message`."""
    try:
        raw = base64.b64decode(signing_key.removeprefix("ed25519:"), validate=True)
        Ed25519PublicKey.from_public_bytes(raw).verify(base64.b64decode(signature, validate=True), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def _write_private(path: Path, content: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(path, PRIVATE_MODE)


def create_party_keys(party: str, keys_dir: str | Path) -> PublicKeys:
    """Generate both key pairs into `keys_dir` (0600) and write `<party>.pub` beside them.

    Refuses if keys already exist: replacing a party's private key silently would make every
    package already sealed to it unreadable and every signature it made unverifiable.
    """
    folder = Path(keys_dir)
    if (folder / AGE_IDENTITY_FILE).exists() or (folder / SIGNING_KEY_FILE).exists():
        raise StoreError(
            "this store already has keys",
            where=str(folder),
            fix="keys are created once per party; rotate them with a new store and a new agreement entry",
        )
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    identity = x25519.Identity.generate()
    signing = Ed25519PrivateKey.generate()
    pem = signing.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    _write_private(folder / AGE_IDENTITY_FILE, (str(identity) + "\n").encode("ascii"))
    _write_private(folder / SIGNING_KEY_FILE, pem)
    (folder / PARTY_FILE).write_text(party + "\n", encoding="utf-8")
    keys = PartyKeys(party, identity, signing).public()
    keys.write(folder / f"{party}{PUB_SUFFIX}")
    return keys


def keys_exist(keys_dir: str | Path) -> bool:
    return (Path(keys_dir) / AGE_IDENTITY_FILE).is_file()


def load_party_keys(keys_dir: str | Path) -> PartyKeys:
    """Load a party's private keys; refuses keys readable by other users (they may have leaked)."""
    folder = Path(keys_dir)
    identity_path, signing_path = folder / AGE_IDENTITY_FILE, folder / SIGNING_KEY_FILE
    if not identity_path.is_file() or not signing_path.is_file() or not (folder / PARTY_FILE).is_file():
        raise StoreError(
            "no party keys here", where=str(folder), fix="create them with `famlink keys new --party ...`"
        )
    for path in (identity_path, signing_path):
        if path.stat().st_mode & 0o077:
            raise StoreError(
                "a private key file is readable by other users",
                where=str(path),
                fix="run `chmod 600` on it and consider the key compromised if others could read it",
            )
    identity = x25519.Identity.from_str(identity_path.read_text(encoding="ascii").strip())
    signing = serialization.load_pem_private_key(signing_path.read_bytes(), password=None)
    if not isinstance(signing, Ed25519PrivateKey):
        raise StoreError("the signing key is not an Ed25519 key", where=str(signing_path))
    party = (folder / PARTY_FILE).read_text(encoding="utf-8").strip()
    return PartyKeys(party, identity, signing)
