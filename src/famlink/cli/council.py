"""`famlink council ...`: the council role's steps, and families' requests to the council.

Every command here reads or writes personal data, so each takes `--operator` and `--purpose` (or
FAMLINK_OPERATOR / FAMLINK_PURPOSE) and writes them to the store's audit log; each opens the store
as a council store, with the store's own keys.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import typer

from famlink.agreement.loader import load_agreement
from famlink.console import err_console, out_console
from famlink.governance.sar import write_response
from famlink.governance.store import RoleStore
from famlink.roles.council import service
from famlink.roles.council.eligibility import explain_family
from famlink.roles.council.rights import (
    Who,
    erase,
    list_objections,
    object_to_sharing,
    reapply_requests,
    rectify,
    withdraw_an_objection,
)
from famlink.roles.council.subject_access import PersonQuery, subject_access
from famlink.roles.council.withdrawals import send_withdrawals

council_app = typer.Typer(help="The council's steps, objections and subject access.", no_args_is_help=True)
objection_app = typer.Typer(help="The objection register.", no_args_is_help=True)
council_app.add_typer(objection_app, name="objection")

STORE = typer.Option(..., "--store", help="The council's store folder.")
AGREEMENT = typer.Option(..., "--agreement", help="The data sharing agreement (YAML).")
OPERATOR = typer.Option(..., "--operator", envvar="FAMLINK_OPERATOR", help="Who is doing this (audited).")
PURPOSE = typer.Option(..., "--purpose", envvar="FAMLINK_PURPOSE", help="Why (audited).")
CHANNEL = typer.Option("letter", "--channel", help="letter, email, phone, in_person or web.")
RECORD_REF = typer.Option(..., "--record-ref", help="The council's record reference for the person.")


def _date(value: str | None, hint: str) -> date:
    if value is None:
        return date.today()
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise typer.BadParameter("use YYYY-MM-DD", param_hint=hint) from None


def _open(path: Path) -> RoleStore:
    return RoleStore.open(path, role="council")


@council_app.command("load")
def load(
    store: Path = STORE,
    data: Path = typer.Option(..., "--data", help="The council folder: case_list.parquet, local/ ..."),
    operator: str = OPERATOR,
    purpose: str = PURPOSE,
) -> None:
    """Load the case list and local data (all-or-nothing), then re-apply erasures and rectifications."""
    with _open(store) as opened:
        rows = service.load_council_data(opened, data, service.Actor(operator, purpose))
        again = reapply_requests(opened, Who(operator, purpose))
    err_console.print(f"loaded {sum(rows.values())} rows from {len(rows)} files; re-applied {again}")


@council_app.command("cohort")
def cohort(store: Path = STORE, operator: str = OPERATOR, purpose: str = PURPOSE) -> None:
    """Decide eligibility (with evidence) and build the cohort."""
    with _open(store) as opened:
        counts = service.decide_cohort(opened, service.Actor(operator, purpose))
    out_console.print(", ".join(f"{k} {v}" for k, v in counts.items()), markup=False)


@council_app.command("explain")
def explain(
    family_ref: str = typer.Argument(..., help="The council's family reference."),
    store: Path = STORE,
    operator: str = OPERATOR,
    purpose: str = PURPOSE,
) -> None:
    """Why a family was (or was not) eligible: each criterion and its evidence."""
    with _open(store) as opened, opened.session(operator=operator, purpose=purpose) as con:
        lines = explain_family(con, family_ref)
    for line in lines:
        out_console.print(line.sentence(), markup=False)
    if not lines:
        out_console.print("no evidence of any criterion for this family", markup=False)


@council_app.command("export")
def export(
    store: Path = STORE,
    agreement: Path = AGREEMENT,
    export_id: str = typer.Option(..., "--export-id", help="Name of this export (e.g. cycle-1)."),
    agent: str = typer.Option("ons", "--agent", help="The linkage agent's party id."),
    research: str = typer.Option("research", "--research", help="The research party id."),
    as_of: str | None = typer.Option(None, "--as-of", help="Export date (YYYY-MM-DD), default today."),
    operator: str = OPERATOR,
    purpose: str = PURPOSE,
) -> None:
    """Seal identifiers to the agent and attributes to research; objectors are always left out."""
    with _open(store) as opened:
        result = service.export_cohort(
            opened,
            load_agreement(agreement),
            service.Actor(operator, purpose),
            agent=agent,
            research=research,
            export_id=export_id,
            as_of=_date(as_of, "--as-of"),
        )
    err_console.print(f"sealed {result.identifiers.name} and {result.attributes.name}")
    err_console.print(f"{result.people} people; {result.left_out_for_objection} left out (objection)")


@council_app.command("withdraw")
def withdraw(
    store: Path = STORE,
    agreement: Path = AGREEMENT,
    agent: str = typer.Option("ons", "--agent", help="The linkage agent's party id."),
    as_of: str | None = typer.Option(None, "--as-of", help="Date (YYYY-MM-DD), default today."),
    operator: str = OPERATOR,
    purpose: str = PURPOSE,
) -> None:
    """Send the agent the references of people who objected or were erased after being shared."""
    with _open(store) as opened:
        sent = send_withdrawals(
            opened,
            load_agreement(agreement),
            operator=operator,
            purpose=purpose,
            agent=agent,
            as_of=_date(as_of, "--as-of"),
        )
    if sent.package is None:
        err_console.print("nothing to withdraw")
    else:
        err_console.print(f"sealed {sent.package.name}: {sent.people} people, {sent.references} references")


@objection_app.command("add")
def objection_add(
    store: Path = STORE,
    record_ref: str = RECORD_REF,
    on: str | None = typer.Option(None, "--date", help="When the objection was received (YYYY-MM-DD)."),
    channel: str = CHANNEL,
    scope: str = typer.Option("research_sharing", "--scope", help="What the person objects to."),
    operator: str = OPERATOR,
    purpose: str = PURPOSE,
) -> None:
    """Record an objection; every later export leaves the person out."""
    with _open(store) as opened:
        objection_id = object_to_sharing(
            opened,
            Who(operator, purpose),
            record_id=record_ref,
            on=_date(on, "--date"),
            channel=channel,
            scope=scope,
        )
    out_console.print(objection_id, markup=False)
    err_console.print("if they were shared before, run `famlink council withdraw` to withdraw it")


@objection_app.command("withdraw")
def objection_withdraw(
    objection_id: str = typer.Argument(..., help="The objection's id (OBJ...)."),
    store: Path = STORE,
    on: str | None = typer.Option(None, "--date", help="When it was withdrawn (YYYY-MM-DD)."),
    operator: str = OPERATOR,
    purpose: str = PURPOSE,
) -> None:
    """The person agrees to sharing again; the objection stays in the register as history."""
    with _open(store) as opened:
        found = withdraw_an_objection(
            opened, Who(operator, purpose), objection_id=objection_id, on=_date(on, "--date")
        )
    if not found:
        raise typer.BadParameter("no objection in force with this id", param_hint="OBJECTION_ID")
    err_console.print(f"withdrew {objection_id}")


@objection_app.command("list")
def objection_list(store: Path = STORE, operator: str = OPERATOR, purpose: str = PURPOSE) -> None:
    """Show the register: reference, dates, channel, scope."""
    with _open(store) as opened:
        rows = list_objections(opened, Who(operator, purpose))
    for row in rows:
        status = f"withdrawn {row['withdrawn_on']}" if row["withdrawn_on"] else "in force"
        out_console.print(
            f"{row['objection_id']}  {row['record_id']}  {row['objected_on']}  {row['channel']}  "
            f"{row['scope']}  {status}",
            markup=False,
        )


@council_app.command("sar")
def sar(
    store: Path = STORE,
    agreement: Path = AGREEMENT,
    out: Path = typer.Option(..., "--out", help="Folder for the response (JSON and HTML letter)."),
    record_ref: str | None = typer.Option(None, "--record-ref", help="The council's record reference."),
    nhs_number: str | None = typer.Option(None, "--nhs-number", help="The person's NHS number."),
    surname: str | None = typer.Option(None, "--surname", help="Surname (with --date-of-birth)."),
    date_of_birth: str | None = typer.Option(None, "--date-of-birth", help="YYYY-MM-DD."),
    first_name: str | None = typer.Option(None, "--first-name", help="First name (narrows the search)."),
    operator: str = OPERATOR,
    purpose: str = PURPOSE,
) -> None:
    """Everything the council holds about a person, as JSON and a readable letter."""
    query = PersonQuery(record_ref, nhs_number, surname, date_of_birth, first_name)
    with _open(store) as opened:
        response = subject_access(opened, load_agreement(agreement), Who(operator, purpose), query)
    json_path, html_path = write_response(response, out)
    err_console.print(
        f"{response['sar_id']}: {len(response['people'])} record(s); wrote {json_path} and {html_path}"
    )


@council_app.command("rectify")
def rectify_cmd(
    store: Path = STORE,
    record_ref: str = RECORD_REF,
    field: str = typer.Option(..., "--field", help="The field to correct (e.g. surname)."),
    value: str = typer.Option(..., "--value", help="The corrected value."),
    on: str | None = typer.Option(None, "--date", help="When the request was received (YYYY-MM-DD)."),
    channel: str = CHANNEL,
    operator: str = OPERATOR,
    purpose: str = PURPOSE,
) -> None:
    """Correct a field; the next export carries the corrected value to the agent."""
    with _open(store) as opened:
        rectification_id = rectify(
            opened,
            Who(operator, purpose),
            record_id=record_ref,
            field=field,
            value=value,
            on=_date(on, "--date"),
            channel=channel,
        )
    out_console.print(rectification_id, markup=False)


@council_app.command("erase")
def erase_cmd(
    store: Path = STORE,
    agreement: Path = AGREEMENT,
    record_ref: str = RECORD_REF,
    on: str | None = typer.Option(None, "--date", help="When the request was received (YYYY-MM-DD)."),
    channel: str = CHANNEL,
    operator: str = OPERATOR,
    purpose: str = PURPOSE,
) -> None:
    """Erase a person from the council store and keep them out of every export."""
    with _open(store) as opened:
        erasure_id = erase(
            opened,
            load_agreement(agreement),
            Who(operator, purpose),
            record_id=record_ref,
            on=_date(on, "--date"),
            channel=channel,
        )
    out_console.print(erasure_id, markup=False)
    err_console.print("run `famlink council withdraw` to withdraw what was shared before")


def register(app: typer.Typer) -> None:
    """Add `famlink council` to `app`."""
    app.add_typer(council_app, name="council")
