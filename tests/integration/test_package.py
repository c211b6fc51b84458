"""Sealed packages: a round trip, inspection without a key, and every refusal, each with nothing written."""

from __future__ import annotations

import io
import json
import tarfile
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pyrage
import pytest
import yaml

from famlink.agreement import load_agreement
from famlink.cli.main import main
from famlink.errors import AgreementError, PackageRefusedError
from famlink.exchange.keys import create_party_keys, load_party_keys
from famlink.exchange.manifest import read_header
from famlink.exchange.package import seal_package
from tests.integration.governance_fixtures import (
    PURPOSE,
    TO_AGENT,
    Deployment,
    deploy,
    identifier_values,
    identifiers_table,
    store_tables,
)


def export_to_agent(world: Deployment) -> Path:
    council = world.stores["LA01"]
    result = council.export_package(
        {"identifiers": identifiers_table()},
        agreement=world.agreement(),
        recipient="ons",
        purpose=PURPOSE,
        flow=TO_AGENT,
        operator="alice",
    )
    return result.path


def import_into_agent(world: Deployment, package: Path, **options: object) -> object:
    return world.stores["ons"].import_package(
        package, world.agreement(), operator="bob", purpose=PURPOSE, **options
    )


def assert_nothing_written(world: Deployment) -> None:
    agent = world.stores["ons"]
    assert store_tables(agent) == []
    assert agent.imported_package_ids() == set()


def test_round_trip_delivers_every_row_and_column_unchanged(tmp_path: Path) -> None:
    world = deploy(tmp_path)
    package = export_to_agent(world)
    result = import_into_agent(world, package)
    with world.stores["ons"].session() as con:
        received = con.sql(
            "SELECT * EXCLUDE (_package_id) FROM identifiers ORDER BY council_ref"
        ).to_arrow_table()
    assert received.equals(identifiers_table())
    assert result.rows == {"identifiers": 6}  # type: ignore[attr-defined]
    assert world.stores["ons"].imported_package_ids() == {read_header(package).manifest.package_id}


def test_payload_is_standard_age_holding_a_tar_of_parquet(tmp_path: Path) -> None:
    world = deploy(tmp_path)
    package = export_to_agent(world)
    header = read_header(package)
    payload = package.read_bytes()[header.header_bytes :]
    assert payload.startswith(b"age-encryption.org/v1\n")
    plain = pyrage.decrypt(payload, [world.stores["ons"].keys().identity])
    with tarfile.open(fileobj=io.BytesIO(plain)) as archive:
        data = archive.extractfile("identifiers.parquet").read()  # type: ignore[union-attr]
    assert pq.read_table(io.BytesIO(data)).equals(identifiers_table())


def test_package_file_holds_no_identifier_in_clear(tmp_path: Path) -> None:
    world = deploy(tmp_path)
    raw = export_to_agent(world).read_bytes()
    assert not [v for v in identifier_values(identifiers_table()) if v.encode() in raw]


def test_inspect_shows_the_manifest_without_any_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = deploy(tmp_path)
    package = export_to_agent(world)
    for store in world.stores.values():  # no key anywhere: inspection must not need one
        for key in store.keys_dir.iterdir():
            key.unlink()
    assert main(["package", "inspect", str(package), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["sender"], shown["recipient"], shown["flow"], shown["clause"]) == (
        "LA01",
        "ons",
        TO_AGENT,
        "4.1",
    )
    assert shown["tables"]["identifiers"]["rows"] == 6 and shown["signed"] is True


def test_package_for_someone_else_is_refused(tmp_path: Path) -> None:
    world = deploy(tmp_path, ("LA01", "ons", "research"))
    council = world.stores["LA01"]
    attributes = identifiers_table().select(["council_ref", "sex"])
    to_research = council.export_package(
        {"attributes": attributes},
        agreement=world.agreement(),
        recipient="research",
        purpose=PURPOSE,
        flow="council-attributes-to-research",
        operator="alice",
    ).path
    with pytest.raises(PackageRefusedError, match="addressed to 'research'"):
        import_into_agent(world, to_research)
    assert_nothing_written(world)


def _rewrite_manifest(package: Path, edit: dict[str, object]) -> None:
    raw = package.read_bytes()
    head, rest = raw.split(b"\n", 2)[:2], raw.split(b"\n", 2)[2]
    manifest = json.loads(head[1].removeprefix(b"manifest: "))
    manifest.update(edit)
    line = b"manifest: " + json.dumps(manifest, separators=(",", ":")).encode()
    package.write_bytes(head[0] + b"\n" + line + b"\n" + rest)


def test_bad_signature_is_refused(tmp_path: Path) -> None:
    world = deploy(tmp_path)
    package = export_to_agent(world)
    _rewrite_manifest(package, {"purpose": PURPOSE, "created_at": "2020-01-01T00:00:00+00:00"})
    with pytest.raises(PackageRefusedError, match="signature does not verify"):
        import_into_agent(world, package)
    assert_nothing_written(world)


def test_missing_signature_is_refused(tmp_path: Path) -> None:
    world = deploy(tmp_path)
    package = export_to_agent(world)
    lines = package.read_bytes().split(b"\n", 3)
    package.write_bytes(b"\n".join([lines[0], lines[1], lines[3]]))
    with pytest.raises(PackageRefusedError, match="not signed"):
        import_into_agent(world, package)
    assert_nothing_written(world)


def test_sender_not_in_the_agreement_is_refused(tmp_path: Path) -> None:
    world = deploy(tmp_path)
    # An outsider writes itself into its own copy of the agreement and seals a package with it.
    forged_file = tmp_path / "forged" / "agreement.yaml"
    forged_file.parent.mkdir()
    forged = yaml.safe_load(world.agreement_file.read_text())
    outsider_keys = create_party_keys("LA99", tmp_path / "outsider" / "keys")
    agent_keys = world.agreement().party("ons")
    forged["agreement"]["public_keys"] = None
    forged["parties"].append(
        {"id": "LA99", "role": "council", "name": "Not a signatory",
         "encryption_key": outsider_keys.encryption_key, "signing_key": outsider_keys.signing_key}
    )  # fmt: skip
    for party in forged["parties"]:
        if party["id"] == "ons":
            party.update(encryption_key=agent_keys.encryption_key, signing_key=agent_keys.signing_key)  # type: ignore[union-attr]
    forged_file.write_text(yaml.safe_dump(forged))
    package, _ = seal_package(
        {"identifiers": identifiers_table()},
        agreement=load_agreement(forged_file),
        sender_keys=load_party_keys(tmp_path / "outsider" / "keys"),
        recipient="ons",
        purpose=PURPOSE,
        flow=TO_AGENT,
        out_dir=tmp_path / "outsider",
    )
    with pytest.raises(AgreementError, match="'LA99' is not a party"):
        import_into_agent(world, package)
    assert_nothing_written(world)


def test_checksum_mismatch_is_refused(tmp_path: Path) -> None:
    world = deploy(tmp_path)
    package = export_to_agent(world)
    raw = bytearray(package.read_bytes())
    raw[-40] ^= 0xFF  # one flipped bit pattern inside the encrypted payload
    package.write_bytes(bytes(raw))
    with pytest.raises(PackageRefusedError, match="checksum"):
        import_into_agent(world, package)
    assert_nothing_written(world)


def test_field_not_allowed_on_the_flow_is_refused_on_import(tmp_path: Path) -> None:
    world = deploy(tmp_path)
    # The sender's copy of the agreement was edited to allow an extra column; the recipient's was not.
    edited_file = tmp_path / "agreement" / "edited.yaml"
    text = world.agreement_file.read_text().replace(
        "address, nhs_number, nino, upn]", "address, nhs_number, nino, upn, ethnicity]"
    )
    edited_file.write_text(text)
    table = identifiers_table().append_column("ethnicity", identifiers_table()["sex"])
    package, _ = seal_package(
        {"identifiers": table},
        agreement=load_agreement(edited_file),
        sender_keys=world.stores["LA01"].keys(),
        recipient="ons",
        purpose=PURPOSE,
        flow=TO_AGENT,
        out_dir=tmp_path,
    )
    with pytest.raises(AgreementError, match="not allowed: ethnicity"):
        import_into_agent(world, package)
    assert_nothing_written(world)


def test_field_not_allowed_is_refused_on_export_with_nothing_in_the_outbox(tmp_path: Path) -> None:
    world = deploy(tmp_path, ("LA01", "research"))
    council = world.stores["LA01"]
    with pytest.raises(AgreementError, match="not allowed: nhs_number"):
        council.export_package(
            {"attributes": identifiers_table().select(["council_ref", "nhs_number"])},
            agreement=world.agreement(),
            recipient="research",
            purpose=PURPOSE,
            flow="council-attributes-to-research",
            operator="alice",
        )
    assert list(council.outbox.iterdir()) == []


def test_expired_agreement_is_refused(tmp_path: Path) -> None:
    world = deploy(tmp_path)
    package = export_to_agent(world)
    with pytest.raises(AgreementError, match="not in force on 2031-01-01"):
        import_into_agent(world, package, as_of=date(2031, 1, 1))
    assert_nothing_written(world)


def test_replayed_package_is_refused_and_rows_are_not_duplicated(tmp_path: Path) -> None:
    world = deploy(tmp_path)
    package = export_to_agent(world)
    import_into_agent(world, package)
    with pytest.raises(PackageRefusedError, match="already been imported"):
        import_into_agent(world, package)
    with world.stores["ons"].session() as con:
        assert con.execute("SELECT count(*) FROM identifiers").fetchall() == [(6,)]


def test_import_cli_refuses_with_the_package_exit_code(tmp_path: Path) -> None:
    world = deploy(tmp_path)
    package = export_to_agent(world)
    args = ["package", "import", str(package), "--store", str(tmp_path / "ons"), "--agreement",
            str(world.agreement_file), "--operator", "bob", "--purpose", PURPOSE]  # fmt: skip
    assert main(args) == 0
    assert main(args) == PackageRefusedError.exit_code


def test_delivery_through_the_inbox_imports_each_package_once(tmp_path: Path) -> None:
    world = deploy(tmp_path)
    agent = world.stores["ons"]
    first, second = export_to_agent(world), export_to_agent(world)
    for package in (first, second, first):  # a package delivered twice is received once
        agent.receive(package)
    assert len(agent.pending_packages()) == 2
    imported = agent.import_inbox(world.agreement(), operator="bob", purpose=PURPOSE, flow=TO_AGENT)
    assert sorted(r.package_id for r in imported) == sorted(
        read_header(p).manifest.package_id for p in (first, second)
    )
    assert agent.pending_packages() == []
    assert agent.import_inbox(world.agreement(), operator="bob", purpose=PURPOSE) == []
