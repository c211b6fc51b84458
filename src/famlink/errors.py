"""User-facing errors and their stable exit codes.

Every error a user can cause (a bad file, a refused package, an agreement breach) is a `FamlinkError`.
The CLI prints it without a traceback and exits with the class's code, so that scripts and schedulers
can react to the kind of failure. The codes are part of the public interface: never renumber them
(docs/reference/exit-codes.md lists them, and a test checks that list against this module).

Messages must never contain a personal identifier value: say *where* (file, row, column, reference)
and *what to do*, not what the value was.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class FamlinkError(Exception):
    """Base class: a problem the user can fix, reported as what went wrong, where, and what to do."""

    what: str
    where: str | None = None
    fix: str | None = None

    exit_code = 1
    title = "famlink error"

    def __post_init__(self) -> None:
        super().__init__(self.render())

    def render(self) -> str:
        parts = [self.what]
        if self.where:
            parts.append(f"where: {self.where}")
        if self.fix:
            parts.append(f"what to do: {self.fix}")
        return "\n".join(parts)

    def __str__(self) -> str:
        return self.render()


class InputFileError(FamlinkError):
    """An input table is missing, unreadable, malformed, or breaks its schema."""

    exit_code = 3
    title = "bad input"


class AgreementError(FamlinkError):
    """The data sharing agreement is invalid, expired, or forbids what was asked."""

    exit_code = 4
    title = "not allowed by the data sharing agreement"


class PackageRefusedError(FamlinkError):
    """A sealed package failed a check on opening (recipient, signature, checksum, replay...)."""

    exit_code = 5
    title = "package refused"


class AuditIntegrityError(FamlinkError):
    """An audit log's hash chain does not verify."""

    exit_code = 6
    title = "audit log tampered"


class StoreError(FamlinkError):
    """A role store is missing, locked with another key, or in an unexpected state."""

    exit_code = 7
    title = "store problem"


class AnalysisError(FamlinkError):
    """The data cannot support the analysis asked for (no overlap, too few treated, ...)."""

    exit_code = 8
    title = "analysis not possible"


class DisclosureError(FamlinkError):
    """An output would break disclosure control and no safe version could be produced."""

    exit_code = 9
    title = "disclosure risk"


class ConfigError(FamlinkError):
    """A setting, option combination or model file is invalid."""

    exit_code = 10
    title = "bad configuration"


ALL_ERROR_CLASSES: tuple[type[FamlinkError], ...] = (
    FamlinkError,
    InputFileError,
    AgreementError,
    PackageRefusedError,
    AuditIntegrityError,
    StoreError,
    AnalysisError,
    DisclosureError,
    ConfigError,
)
