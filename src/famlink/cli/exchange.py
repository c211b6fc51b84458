"""`famlink keys ...`, `famlink store ...` and `famlink package ...`: keys, role stores, sealed packages."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer

from famlink.agreement.loader import load_agreement
from famlink.agreement.model import Role
from famlink.console import err_console, out_console
from famlink.exchange.keys import create_party_keys
from famlink.exchange.package import inspect_package
from famlink.governance.store import RoleStore

keys_app = typer.Typer(
    help="A party's key pairs (age for encryption, Ed25519 for signing).", no_args_is_help=True
)
store_app = typer.Typer(
    help="Role stores: a party's databases, inbox, outbox, keys and audit log.", no_args_is_help=True
)
package_app = typer.Typer(help="Sealed packages: inspect and import.", no_args_is_help=True)

OPERATOR = typer.Option(..., "--operator", envvar="FAMLINK_OPERATOR", help="Who is doing this (audited).")
PURPOSE = typer.Option(..., "--purpose", envvar="FAMLINK_PURPOSE", help="Why (audited; a purpose id).")


@keys_app.command("new")
def keys_new(
    party: str = typer.Option(..., "--party", help="The party id, as named in the agreement."),
    store: Path = typer.Option(..., "--store", help="The party's store folder; keys go in its keys/ folder."),
    export: Path | None = typer.Option(None, "--export", help="Also copy the public key file here."),
) -> None:
    """Create PARTY's key pairs inside its store (private parts mode 0600) and export the public file."""
    keys = create_party_keys(party, store / "keys")
    public = store / "keys" / f"{party}.pub"
    if export is not None:
        keys.write(export)
    out_console.print(keys.render(), markup=False, end="")
    err_console.print(
        f"private keys in {store / 'keys'} (never share them); public keys in {export or public}"
    )
    err_console.print(f"next: famlink agreement add-key AGREEMENT {export or public}")


@store_app.command("create")
def store_create(
    path: Path = typer.Argument(..., help="Folder for the new store."),
    role: Role = typer.Option(..., "--role", help="council, agent, department or research."),
    party: str = typer.Option(..., "--party", help="The party id, as named in the agreement."),
    operator: str = OPERATOR,
    plaintext: bool = typer.Option(
        False, "--plaintext", help="Do not encrypt (only for stores without identifiers)."
    ),
) -> None:
    """Create a role store (keys too, unless `famlink keys new` already made them)."""
    created = RoleStore.create(path, role=role, party=party, operator=operator, encrypted=not plaintext)
    created.close()
    err_console.print(f"created {created.role.value} store for {created.party} at {path}")
    err_console.print(f"database encryption: {created.crypto_module if not plaintext else 'off'}")


@store_app.command("info")
def store_info(path: Path = typer.Argument(..., help="The store folder.")) -> None:
    """Show a store's role, party, segments and imported packages (no data)."""
    with RoleStore.open(path) as opened:
        info = _describe(opened)
    out_console.print_json(json.dumps(info))


def _describe(opened: RoleStore) -> dict[str, object]:
    return {
        "role": opened.role.value,
        "party": opened.party,
        "segments": {
            n: {"encrypted": s.encrypted, "created_at": s.created_at} for n, s in opened.segments.items()
        },
        "imported_packages": sorted(opened.imported_package_ids()),
        "pending_in_inbox": [p.name for p in opened.pending_packages()],
    }


@package_app.command("inspect")
def package_inspect(
    file: Path = typer.Argument(..., help="A sealed package file."),
    as_json: bool = typer.Option(False, "--json", help="Print the manifest as JSON."),
) -> None:
    """Show a package's signed manifest without decrypting it (no key needed)."""
    header = inspect_package(file)
    manifest = header.manifest
    if as_json:
        shown = {**manifest.model_dump(), "signed": header.signature is not None}
        out_console.print_json(json.dumps({**shown, "payload_offset": header.header_bytes}))
        return
    out_console.print(f"package   {manifest.package_id}", markup=False)
    out_console.print(f"from      {manifest.sender}  to  {manifest.recipient}", markup=False)
    out_console.print(f"agreement {manifest.agreement_id}, flow {manifest.flow} (clause {manifest.clause})")
    out_console.print(f"purpose   {manifest.purpose}", markup=False)
    out_console.print(f"created   {manifest.created_at}", markup=False)
    out_console.print(
        f"signed    {'yes (not yet verified: opening checks it)' if header.signature else 'NO'}"
    )
    out_console.print(f"payload   {manifest.payload_bytes} bytes of age from byte {header.header_bytes + 1}")
    out_console.print(f"          sha256 {manifest.payload_sha256}")
    for name, entry in manifest.tables.items():
        out_console.print(f"  {name}: {entry.rows} rows; columns {', '.join(entry.columns)}", markup=False)


@package_app.command("import")
def package_import(
    file: Path = typer.Argument(..., help="A sealed package addressed to this store's party."),
    store: Path = typer.Option(..., "--store", help="The recipient's store."),
    agreement: Path = typer.Option(..., "--agreement", help="The data sharing agreement (YAML)."),
    operator: str = OPERATOR,
    purpose: str = PURPOSE,
    segment: str = typer.Option("main", "--segment", help="The store segment to write the tables into."),
    as_of: str | None = typer.Option(None, "--as-of", help="Judge the agreement on this date (YYYY-MM-DD)."),
) -> None:
    """Check a package (recipient, signature, agreement, replay, checksums), then import it whole."""
    with RoleStore.open(store) as opened:
        result = opened.import_package(
            file,
            load_agreement(agreement),
            operator=operator,
            purpose=purpose,
            segment=segment,
            as_of=date.fromisoformat(as_of) if as_of else None,
        )
    rows = ", ".join(f"{name} {count}" for name, count in result.rows.items())
    err_console.print(f"imported package {result.package_id} from {result.sender} ({result.flow}): {rows}")


def register(app: typer.Typer) -> None:
    """Add `famlink keys`, `famlink store` and `famlink package` to `app`."""
    app.add_typer(keys_app, name="keys")
    app.add_typer(store_app, name="store")
    app.add_typer(package_app, name="package")
