"""famlink.risk: the council's children's safeguarding risk model, with the safeguards its
predecessors lacked (temporal validation, comparison with a simple rule, a fairness audit, an
explanation for every flag, a human decision before anything happens, and stop rules).

Public API (the CLI calls these; see docs/how-to/run-the-risk-model.md):
- `RiskSettings`: every tunable number, JSON round-trip.
- `RiskStore.open(dir)`, `Actor.resolve(operator, purpose)`.
- `train(council_dir, store, settings, actor) -> evaluation dict`
- `score(council_dir, store, actor, reference_date=None, acknowledge_stop=None) -> ScoreResult`
- `list_queue(store, actor)`, `decide(store, actor, item_id, decision, reason)`
- `report(store, actor) -> ReportResult` (HTML report, model card, ATRS-shaped record, stop rules)
- `ReviewQueue`, `action_for(queue, decision)`: the only way from a flag to an action.
"""

from famlink.risk.queue import DECISIONS, ReviewQueue, action_for
from famlink.risk.service import decide, list_queue, report, score, train
from famlink.risk.settings import RiskSettings
from famlink.risk.store import Actor, RiskStore

__all__ = [
    "DECISIONS",
    "Actor",
    "ReviewQueue",
    "RiskSettings",
    "RiskStore",
    "action_for",
    "decide",
    "list_queue",
    "report",
    "score",
    "train",
]
