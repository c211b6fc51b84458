"""`famlink department ...`: a department's steps, one command each, for a department on its own machine.

`load` replaces the department's copy of its holdings (all-or-nothing); `answer` carries out any
purge the agent sent for a withdrawn person, then matches every waiting request, seals the outcomes
to research and shreds the request identifiers; `purge` shreds any request identifiers still held
(for a request that cannot be answered, or when the agreement's retention period ends).
"""

from __future__ import annotations

from pathlib import Path

import typer

from famlink.cli.role_options import (
    AGREEMENT,
    AS_OF,
    ENGINE,
    OPERATOR,
    PURPOSE,
    RESEARCH,
    STORE,
    agreement_at,
    as_date,
    engine_name,
    folder,
)
from famlink.console import err_console, out_console

department_app = typer.Typer(
    help="A department (DWP, MoJ, DfE): load holdings, answer match requests, purge request identifiers.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add `famlink department` to `app`."""
    app.add_typer(department_app, name="department")


@department_app.command("load")
def load(
    store: Path = STORE,
    holdings: Path = typer.Option(
        ..., "--holdings", help="Folder with people.parquet and the outcome tables (CSV or Parquet)."
    ),
    operator: str = OPERATOR,
    purpose: str = PURPOSE,
) -> None:
    """Load the department's people and outcome files, replacing its earlier copy in one transaction."""
    from famlink.governance.store import RoleStore
    from famlink.roles.department import service

    source = folder(holdings, "holdings")
    with RoleStore.open(store, role="department") as opened:
        rows = service.load_holdings(opened, source, service.Actor(operator, purpose))
    out_console.print(", ".join(f"{name} {count}" for name, count in rows.items()), markup=False)


@department_app.command("answer")
def answer(
    store: Path = STORE,
    agreement: Path = AGREEMENT,
    operator: str = OPERATOR,
    purpose: str = PURPOSE,
    as_of: str | None = AS_OF,
    research: str = RESEARCH,
    engine: str = ENGINE,
) -> None:
    """Apply pending purges, match each waiting request, seal outcomes to research, shred the request."""
    from famlink.governance.store import RoleStore
    from famlink.linkage.options import LinkOptions
    from famlink.roles.department import purge, service

    options = LinkOptions(engine=engine_name(engine))  # type: ignore[arg-type]
    on, terms = as_date(as_of), agreement_at(agreement)
    with RoleStore.open(store, role="department") as opened:
        purge.apply_purge_requests(opened, terms, operator=operator, purpose=purpose)
        answers = service.answer_requests(
            opened,
            terms,
            service.Actor(operator, purpose),
            research=research,
            as_of=on,
            options=options,
        )
    if not answers:
        err_console.print("no request waiting in the inbox")
    for done in answers:
        rate = done.matched / done.requests if done.requests else 0.0
        out_console.print(
            f"{done.requests} requests, {done.matched} matched ({rate:.1%}); sealed {done.package}",
            markup=False,
        )


@department_app.command("purge")
def purge_requests(
    store: Path = STORE,
    operator: str = OPERATOR,
    purpose: str = PURPOSE,
    reason: str = typer.Option(
        "retention period ended", "--reason", help="Why the identifiers are destroyed (audited)."
    ),
) -> None:
    """Crypto-shred any match request identifiers this store still holds (answered or not)."""
    from famlink.governance.store import RoleStore
    from famlink.roles.department import service

    with RoleStore.open(store, role="department") as opened:
        destroyed = service.purge_request_identifiers(opened, service.Actor(operator, purpose), reason=reason)
    err_console.print("request identifiers destroyed" if destroyed else "no request identifiers held")
