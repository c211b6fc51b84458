"""`famlink agent ...`: the linkage agent's steps, one command each, for an agent on its own machine.

The agent runs these in order once every council's identifier package is in its inbox:
`ingest`, `assign-ids`, `send-requests`, `send-keymaps`. Each is safe to run again (imports are
registered by package id, ids already given are kept, exports return the package already sealed).
"""

from __future__ import annotations

from pathlib import Path

import typer

from famlink.cli.role_options import (
    AGREEMENT,
    AS_OF,
    CYCLE,
    ENGINE,
    OPERATOR,
    PURPOSE,
    RESEARCH,
    STORE,
    agreement_at,
    as_date,
    engine_name,
)
from famlink.console import err_console, out_console

agent_app = typer.Typer(
    help="The linkage agent: ingest identifiers, assign research ids, send requests and key maps.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add `famlink agent` to `app`."""
    app.add_typer(agent_app, name="agent")


@agent_app.command("ingest")
def ingest(
    store: Path = STORE,
    agreement: Path = AGREEMENT,
    operator: str = OPERATOR,
    purpose: str = PURPOSE,
    as_of: str | None = AS_OF,
) -> None:
    """Import every council identifier package waiting in the inbox (each checked before a row is written)."""
    from famlink.governance.store import RoleStore
    from famlink.roles.agent import service

    on, terms = as_date(as_of), agreement_at(agreement)
    with RoleStore.open(store, role="agent") as opened:
        count = service.ingest_identifiers(opened, terms, service.Actor(operator, purpose), as_of=on)
    err_console.print(f"imported {count} package(s)")


@agent_app.command("assign-ids")
def assign_ids(
    store: Path = STORE,
    operator: str = OPERATOR,
    purpose: str = PURPOSE,
    engine: str = ENGINE,
) -> None:
    """Find each person across councils and give people and families random research ids (kept on re-runs)."""
    from famlink.governance.store import RoleStore
    from famlink.linkage.options import LinkOptions
    from famlink.roles.agent import service

    options = LinkOptions(engine=engine_name(engine))  # type: ignore[arg-type]
    with RoleStore.open(store, role="agent") as opened:
        counts = service.assign_research_ids(opened, service.Actor(operator, purpose), options)
    out_console.print(
        f"{counts['records']} council records → {counts['people']} people in {counts['families']} families; "
        f"{counts['review_pairs']} pairs for clerical review",
        markup=False,
    )


@agent_app.command("send-requests")
def send_requests(
    store: Path = STORE,
    agreement: Path = AGREEMENT,
    operator: str = OPERATOR,
    purpose: str = PURPOSE,
    as_of: str | None = AS_OF,
    cycle: str = CYCLE,
) -> None:
    """Seal one match request per department (fresh request references, only the fields it may see)."""
    from famlink.governance.store import RoleStore
    from famlink.roles.agent import service

    on, terms = as_date(as_of), agreement_at(agreement)
    with RoleStore.open(store, role="agent") as opened:
        packages = service.send_requests(
            opened, terms, service.Actor(operator, purpose), cycle=cycle, as_of=on
        )
    for department, package in packages.items():
        err_console.print(f"{department}: {package}")


@agent_app.command("send-keymaps")
def send_keymaps(
    store: Path = STORE,
    agreement: Path = AGREEMENT,
    operator: str = OPERATOR,
    purpose: str = PURPOSE,
    as_of: str | None = AS_OF,
    cycle: str = CYCLE,
    research: str = RESEARCH,
) -> None:
    """Seal research the key maps: council and request references → research ids (no identifiers)."""
    from famlink.governance.store import RoleStore
    from famlink.roles.agent import service

    on, terms = as_date(as_of), agreement_at(agreement)
    with RoleStore.open(store, role="agent") as opened:
        package = service.send_key_maps(
            opened,
            terms,
            service.Actor(operator, purpose),
            cycle=cycle,
            research=research,
            as_of=on,
        )
    err_console.print(f"{research}: {package}")
