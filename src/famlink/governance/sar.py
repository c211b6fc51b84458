"""The subject access response: what others hold in pseudonymised form, and the letter itself.

A council can show a family everything in its own store. What the linkage agent and research hold is
explained rather than looked up: the council cannot (and must not be able to) find a person's research
id, and research holds no identifier to search by. The explanation is generated from the agreement,
so it states the same fields, recipients and retention as the privacy notice, and names the research
exemptions (UK GDPR Art 89, DPA 2018 Sch 2 Part 6 para 27) with the safeguards they depend on.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jinja2

from famlink.agreement.model import Agreement, Role
from famlink.agreement.render import information_in, retention_line, write_html
from famlink.tabular import atomic_path

RESEARCH_EXEMPTION = (
    "The research team and the linkage agent hold your information only in pseudonymised form, for "
    "research and statistics. Under UK GDPR Article 89 and the Data Protection Act 2018 (Schedule 2, "
    "Part 6, paragraph 27), the rights to access, rectify, restrict and object may be limited where "
    "applying them would prevent or seriously impair the research, and only if the results are not "
    "published in a form that identifies anyone and the data are not used to make decisions about "
    "you. famlink's safeguards are: research holds no name, date of birth, address or identifier "
    "number; every published figure passes disclosure control; nothing flows back to the council. "
    "Your objection is nonetheless honoured in full: the council withdraws what it shared, and the "
    "agent, the departments and the researchers delete it."
)


def pseudonymised_holdings(agreement: Agreement, council: str) -> list[dict[str, Any]]:
    """For each party that receives data from this council, directly or via the agent: what and how long."""
    held: list[dict[str, Any]] = []
    for flow in agreement.flows:
        if not agreement.covers(flow.sender, council) or agreement.purpose(flow.purpose) is None:
            continue
        for party in agreement.parties_named_by(flow.recipient):
            rules = [
                retention_line(agreement, r)
                for r in agreement.retention
                if agreement.covers(r.holder, party.id)
            ]
            held.append(
                {
                    "party": party.name,
                    "role": party.role.value,
                    "information": information_in(flow),
                    "clause": flow.clause,
                    "form": "identifiers under a random reference"
                    if party.role == Role.agent
                    else "pseudonymised: a random research number, no identifiers",
                    "retention": rules,
                }
            )
    return held


LETTER_TEMPLATE = Path(__file__).with_name("sar_letter.html.j2")


def render_letter(response: dict[str, Any]) -> str:
    """The readable HTML letter for a subject access response built by the council role."""
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    return env.from_string(LETTER_TEMPLATE.read_text(encoding="utf-8")).render(response)


def write_response(response: dict[str, Any], folder: Path) -> tuple[Path, Path]:
    """Write `<sar_id>.json` and `<sar_id>.html` into `folder` (each atomically)."""
    folder.mkdir(parents=True, exist_ok=True)
    json_path = folder / f"{response['sar_id']}.json"
    with atomic_path(json_path) as tmp:
        tmp.write_text(json.dumps(response, indent=2, default=str) + "\n", encoding="utf-8")
    html_path = write_html(folder / f"{response['sar_id']}.html", render_letter(response))
    return json_path, html_path
