"""Property: changing any byte of a sealed package makes opening refuse it; it never yields altered rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from famlink.agreement import DEMO_AGREEMENT, Agreement, load_agreement
from famlink.errors import FamlinkError
from famlink.exchange.keys import PartyKeys, create_party_keys, load_party_keys
from famlink.exchange.package import open_package, seal_package
from tests.integration.governance_fixtures import PURPOSE, TO_AGENT, identifiers_table


@pytest.fixture(scope="module")
def sealed(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, Agreement, PartyKeys]:
    root = tmp_path_factory.mktemp("tamper")
    (root / "keys").mkdir()
    for party in ("LA01", "ons"):
        create_party_keys(party, root / party)
        (root / party / f"{party}.pub").rename(root / "keys" / f"{party}.pub")
    (root / "agreement.yaml").write_text(DEMO_AGREEMENT.read_text())
    agreement = load_agreement(root / "agreement.yaml")
    path, _ = seal_package(
        {"identifiers": identifiers_table()},
        agreement=agreement,
        sender_keys=load_party_keys(root / "LA01"),
        recipient="ons",
        purpose=PURPOSE,
        flow=TO_AGENT,
        out_dir=root,
    )
    return path.read_bytes(), agreement, load_party_keys(root / "ons")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.floats(min_value=0, max_value=1, exclude_max=True), flip=st.integers(1, 255))
def test_any_changed_byte_is_refused(
    sealed: tuple[bytes, Agreement, PartyKeys], tmp_path: Path, position: float, flip: int
) -> None:
    raw, agreement, keys = sealed
    index = int(position * len(raw))
    tampered = bytearray(raw)
    tampered[index] ^= flip
    target = tmp_path / f"tampered-{index}-{flip}.famlink"
    target.write_bytes(bytes(tampered))
    with pytest.raises(FamlinkError):
        open_package(target, agreement=agreement, recipient_keys=keys, already_imported=lambda _: False)


def test_the_untouched_package_opens(sealed: tuple[bytes, Agreement, PartyKeys], tmp_path: Path) -> None:
    raw, agreement, keys = sealed
    (tmp_path / "p.famlink").write_bytes(raw)
    opened = open_package(
        tmp_path / "p.famlink", agreement=agreement, recipient_keys=keys, already_imported=set().__contains__
    )
    assert opened.tables["identifiers"].equals(identifiers_table())
