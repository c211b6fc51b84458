"""The data sharing agreement: load and validate it, enforce it on every transfer, find retention rules.

Public API: `load_agreement(path, with_keys=True) -> Agreement`, `check_transfer(...) -> Flow`,
`require_in_force(agreement, as_of)`, `AgreementFileError` (every problem, with lines), and the models.
"""

from __future__ import annotations

from famlink.agreement.enforce import check_transfer, require_in_force
from famlink.agreement.loader import AgreementFileError, AgreementProblem, load_agreement
from famlink.agreement.model import Agreement, Flow, LegalBasis, Party, Purpose, Retention, Role
from famlink.agreement.templates import DEMO_AGREEMENT

__all__ = [
    "DEMO_AGREEMENT",
    "Agreement",
    "AgreementFileError",
    "AgreementProblem",
    "Flow",
    "LegalBasis",
    "Party",
    "Purpose",
    "Retention",
    "Role",
    "check_transfer",
    "load_agreement",
    "require_in_force",
]
