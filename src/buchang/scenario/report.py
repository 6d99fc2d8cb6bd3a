"""The outcome of running a scenario: one check per expected figure or fact.

A :class:`Check` compares one expectation with what the library produced and
says where the expectation was written (``expected.yaml`` line). A check that
fails carries a stable code:

=========================  ==========================================================
``FIGURE_MISMATCH``        an expected amount differs from the computed one
``FIGURE_MISSING``         no computed line / subject / category / record matches
``FIGURE_AMBIGUOUS``       an expected line selects more than one computed line
``LINE_UNLISTED``          a computed line no expected line selects (``complete``)
``TABLE_NOT_CITED``        an expected table version is not among the tables used
``ISSUE_MISSING``          an expected issue was not reported
``UNEXPECTED_ISSUE``       the computation reported an error the scenario did not expect
``REJECTION_MISSING``      the journal accepted a command expected to be refused
``UNEXPECTED_REJECTION``   the journal refused a command, or refused it with another code
``FINDING_MISSING``        an expected reconciliation finding was not found
``UNEXPECTED_FINDING``     a finding the scenario did not expect (``complete``)
``VALUE_MISMATCH``         a non-amount fact differs (line state, check, verify …)
=========================  ==========================================================

Passing checks have code ``OK``. Problems loading the scenario are
:class:`~buchang.core.errors.Issue` values on the report; either makes the
scenario fail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from buchang.core.errors import Issue, Location

OK: Final = "OK"

#: Check kinds that compare an amount (the "expected figures" of a scenario).
FIGURE_KINDS: Final = frozenset(
    {
        "line",
        "subject_total",
        "project_total",
        "category_total",
        "estimate_fund",
        "estimate_total",
        "required_upfront",
        "agreement_amount",
        "balance",
        "line_paid",
        "reconcile_total",
    }
)


@dataclass(frozen=True, slots=True)
class Check:
    """One expectation compared.

    Attributes:
        kind: what is compared (``line``, ``subject_total``, ``rejection``, ``finding`` …).
        label: the thing compared, readable (``CM-2025-01 H02/B2 残值``).
        expected: the expected value as text.
        actual: what was produced, as text (``—`` when nothing matched).
        code: ``OK`` or the failure code (see the module docstring).
        location: where the expectation is written (file, line, key).
    """

    kind: str
    label: str
    expected: str
    actual: str
    code: str = OK
    location: Location = field(default_factory=Location)

    @property
    def ok(self) -> bool:
        return self.code == OK

    def __str__(self) -> str:
        where = str(self.location)
        head = f"{where}: " if where else ""
        if self.ok:
            return f"{head}ok {self.kind} {self.label} = {self.actual}"
        return f"{head}[{self.code}] {self.kind} {self.label}: expected {self.expected}, got {self.actual}"

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "label": self.label,
            "expected": self.expected,
            "actual": self.actual,
            "code": self.code,
            "ok": self.ok,
            "location": str(self.location),
        }


@dataclass(frozen=True, slots=True)
class ScenarioReport:
    """Everything a scenario run found.

    Attributes:
        name: the folder's name.
        title: the manifest's title.
        checks: every comparison, in the order the expectations are written
            (then the unexpected things found).
        issues: problems loading or running the scenario (bad file, invalid input …).
        non_official: tables used whose figures are not official (every output says so).
    """

    name: str
    title: str
    checks: tuple[Check, ...] = ()
    issues: tuple[Issue, ...] = ()
    non_official: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.issues and all(c.ok for c in self.checks)

    @property
    def failures(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.ok)

    @property
    def figures(self) -> int:
        """How many expected amounts were compared."""
        return sum(1 for c in self.checks if c.kind in FIGURE_KINDS)

    def to_dict(self) -> dict[str, object]:
        return {
            "scenario": self.name,
            "title": self.title,
            "ok": self.ok,
            "checks": len(self.checks),
            "figures": self.figures,
            "failures": [c.to_dict() for c in self.failures],
            "issues": [i.to_dict() for i in self.issues],
            "non_official_tables": list(self.non_official),
            "all_checks": [c.to_dict() for c in self.checks],
        }
