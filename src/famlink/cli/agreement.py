"""`famlink agreement ...`: validate the data sharing agreement, file public keys, render notices."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import typer

from famlink.agreement.enforce import require_in_force
from famlink.agreement.loader import load_agreement
from famlink.agreement.public_keys import add_key_to_agreement
from famlink.agreement.render import render_notice, render_ropa, write_html
from famlink.agreement.templates import DEMO_AGREEMENT
from famlink.console import err_console, out_console

agreement_app = typer.Typer(
    help="The data sharing agreement: check it, file keys, render notices.", no_args_is_help=True
)


@agreement_app.command("check")
def check(
    file: Path = typer.Argument(..., help="The agreement (YAML)."),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Also check it is in force on this date (YYYY-MM-DD)."
    ),
) -> None:
    """Validate the agreement, listing every problem with its line; summarise parties, flows and keys."""
    agreement = load_agreement(file)
    if as_of:
        require_in_force(agreement, date.fromisoformat(as_of))
    header = agreement.agreement
    out_console.print(f"{agreement.id}: {header.title}", markup=False)
    out_console.print(f"valid {header.valid_from} to {header.valid_until}", markup=False)
    counts = {
        "parties": len(agreement.parties),
        "purposes": len(agreement.purposes),
        "flows": len(agreement.flows),
        "retention rules": len(agreement.retention),
    }
    out_console.print(", ".join(f"{n} {what}" for what, n in counts.items()), markup=False)
    missing = [p.id for p in agreement.parties if p.encryption_key is None or p.signing_key is None]
    if missing:
        err_console.print(
            f"no public keys yet for: {', '.join(missing)} (file them with `famlink agreement add-key`)"
        )


@agreement_app.command("add-key")
def add_key(
    file: Path = typer.Argument(..., help="The agreement (YAML)."),
    public_key: Path = typer.Argument(..., help="A party's .pub file from `famlink keys new`."),
    replace: bool = typer.Option(False, "--replace", help="Replace the party's existing keys (rotation)."),
) -> None:
    """File a party's public keys in the agreement's key folder, after checking the party is a signatory."""
    target = add_key_to_agreement(load_agreement(file, with_keys=False), public_key, replace=replace)
    err_console.print(f"filed {public_key} as {target}")


@agreement_app.command("template")
def template(out: Path = typer.Argument(..., help="Where to write the demo agreement (YAML).")) -> None:
    """Write the demo agreement (modelled on the councils' documents) as a starting point."""
    if out.exists():
        raise typer.BadParameter(f"{out} exists; choose another path", param_hint="OUT")
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(DEMO_AGREEMENT, out)
    err_console.print(
        f"wrote {out}; parties' keys go in {out.parent / 'keys'} via `famlink agreement add-key`"
    )


@agreement_app.command("notice")
def notice(
    file: Path = typer.Argument(..., help="The agreement (YAML)."),
    out: Path = typer.Option(..., "--out", help="Where to write the privacy notice (HTML)."),
    council: str | None = typer.Option(None, "--council", help="Name this council in the notice."),
) -> None:
    """Render the privacy notice for families from the agreement (who, what, why, law, how long, rights)."""
    write_html(out, render_notice(load_agreement(file), council))
    err_console.print(f"wrote {out}")


@agreement_app.command("ropa")
def ropa(
    file: Path = typer.Argument(..., help="The agreement (YAML)."),
    out: Path = typer.Option(..., "--out", help="Where to write the record of processing (HTML)."),
) -> None:
    """Render the record of processing activities (UK GDPR Article 30) from the agreement."""
    write_html(out, render_ropa(load_agreement(file)))
    err_console.print(f"wrote {out}")


def register(app: typer.Typer) -> None:
    """Add `famlink agreement` to `app`."""
    app.add_typer(agreement_app, name="agreement")
