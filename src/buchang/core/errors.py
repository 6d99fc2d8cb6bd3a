"""Errors as values with provenance.

Every problem buchang finds in data is an :class:`Issue`: a stable ``code`` that
tests and users can match on, a severity, a human message and a
:class:`Location` that says exactly where (``file:sheet!C12`` for a spreadsheet
cell, ``file:12`` plus a key path for a table file). Stages return their issues
instead of raising; exceptions are reserved for programmer errors (a ``float``
where money is expected, say).

See ``shared/spec/style.md`` ("Errors are values with provenance").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    """How bad an issue is. ``error`` stops the affected output; ``warning`` is
    shown beside the result; ``info`` is for the record."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Location:
    """Where an issue was found.

    Attributes:
        file: path of the file, as given by the user (never resolved further).
        sheet: worksheet name, for spreadsheets.
        cell: A1-style cell reference, for spreadsheets (``C12``).
        line: 1-based line number, for text files (tables, CSV).
        key: dotted key path inside a structured file (``versions[0].values.x``).
    """

    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    line: int | None = None
    key: str | None = None

    def __str__(self) -> str:
        text = self.file or "<input>"
        if self.sheet is not None:
            text += f":{self.sheet}"
            if self.cell is not None:
                text += f"!{self.cell}"
        elif self.cell is not None:
            text += f":{self.cell}"
        if self.line is not None:
            text += f":{self.line}"
        return text


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found in data, with its provenance.

    ``str(issue)`` gives the canonical one-line form
    ``file:sheet!C12: [CODE] message`` (or ``file:12: [CODE] message (key: a.b)``).
    """

    code: str
    message: str
    severity: Severity = Severity.ERROR
    location: Location = field(default_factory=Location)

    def __str__(self) -> str:
        text = f"{self.location}: [{self.code}] {self.message}"
        if self.location.key is not None:
            text += f" (key: {self.location.key})"
        return text

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def to_dict(self) -> dict[str, str | int | None]:
        loc = self.location
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "file": loc.file,
            "sheet": loc.sheet,
            "cell": loc.cell,
            "line": loc.line,
            "key": loc.key,
            "text": str(self),
        }


def has_errors(issues: Iterable[Issue]) -> bool:
    """True when any issue is of severity ``error``."""
    return any(i.is_error for i in issues)
