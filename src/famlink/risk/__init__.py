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

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "DECISIONS": "famlink.risk.queue",
    "ReviewQueue": "famlink.risk.queue",
    "action_for": "famlink.risk.queue",
    "decide": "famlink.risk.service",
    "list_queue": "famlink.risk.service",
    "report": "famlink.risk.service",
    "score": "famlink.risk.service",
    "train": "famlink.risk.service",
    "RiskSettings": "famlink.risk.settings",
    "Actor": "famlink.risk.store",
    "RiskStore": "famlink.risk.store",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Import lazily: scikit-learn, fairlearn and matplotlib are slow to load, and every `famlink`
    command imports the CLI module that refers to this package."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'famlink.risk' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
