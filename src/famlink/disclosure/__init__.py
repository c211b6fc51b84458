"""famlink.disclosure: statistical disclosure control of every output that leaves the research store.

The public API: protect a frequency table (`protect_frequency_table`, `protect_counts`), a magnitude
table (`check_magnitude_table`), check a model (`check_model`), and collect a release's outputs in a
`Release`, whose `log` (an `OutputLog`) is the record an output checker signs off. Rules live in one
`DisclosureRules` object. See docs/reference/disclosure-control.md.
"""

from famlink.disclosure.frequency import protect_counts, protect_frequency_table, round_to_base
from famlink.disclosure.intervals import Intervals, attacker_intervals
from famlink.disclosure.log import LogEntry, OutputLog, Override
from famlink.disclosure.magnitude import check_magnitude_table
from famlink.disclosure.models import ModelCheck, check_model
from famlink.disclosure.release import Release, differencing_conflicts
from famlink.disclosure.results import SUPPRESSED_MARK, ProtectedTable, RuleResult
from famlink.disclosure.rules import DisclosureRules
from famlink.disclosure.statements import ProtectedProportion, protect_proportion

__all__ = [
    "SUPPRESSED_MARK",
    "DisclosureRules",
    "Intervals",
    "LogEntry",
    "ModelCheck",
    "OutputLog",
    "Override",
    "ProtectedProportion",
    "ProtectedTable",
    "Release",
    "RuleResult",
    "attacker_intervals",
    "check_magnitude_table",
    "check_model",
    "differencing_conflicts",
    "protect_counts",
    "protect_frequency_table",
    "protect_proportion",
    "round_to_base",
]
