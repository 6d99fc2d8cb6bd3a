"""Read projects from the library's own JSON/YAML; write and read results as JSON.

Projects: one document (JSON or YAML) shaped like :class:`~buchang.rules.inputs.Project`.
Both formats go through the table loader's YAML reader (JSON is read as the
YAML subset it is), so every scalar stays the text the author wrote and
decimals are exact; an unquoted non-integer number (``12.5``) is refused with
a ``FLOAT_VALUE`` issue naming file, line and key — write ``"12.5"``.
Validation problems are issues (``INVALID_INPUT``) with file, line and key,
never exceptions.

Results: :func:`result_to_json` writes an envelope::

    {"format": "buchang.result/1",
     "non_official_tables": ["songjiang.land.fees@2020-B (illustrative)", ...],
     "totals_fen": {"project": 123, "subjects": {"C01": 100, ...}},
     "result": { ...ProjectResult... }}

The summary keys are for readers; :func:`result_from_json` rebuilds the
:class:`~buchang.rules.lines.ProjectResult` from ``result`` alone, losslessly
(rationals as exact strings, amounts as integer fen).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

from pydantic import ValidationError

from buchang.core.errors import Issue, Location
from buchang.rules.inputs import Project
from buchang.rules.lines import ProjectResult
from buchang.tables.yamlsrc import load_yaml

RESULT_FORMAT: Final = "buchang.result/1"


def parse_project(text: str, file: str = "<input>") -> tuple[Project | None, list[Issue]]:
    """A project from JSON or YAML text; ``None`` and the issues when it is not valid."""
    if text.lstrip().startswith("{"):
        # JSON: a literal tab can only be whitespace (JSON strings escape it as \t), and YAML
        # does not allow tabs between tokens — so a space keeps the meaning and the lines.
        text = text.replace("\t", " ")
    doc = load_yaml(text, file)
    issues = list(doc.issues)
    if doc.data is None or issues:
        return None, issues
    try:
        return Project.model_validate(doc.data), []
    except ValidationError as exc:
        for err in exc.errors():
            path = tuple(err["loc"])
            issues.append(doc.issue("INVALID_INPUT", f"{err['msg']} (got {err.get('input')!r})"[:300], path))
        return None, issues


def read_project(path: str | Path) -> tuple[Project | None, list[Issue]]:
    """Read a project file (``.json``, ``.yaml`` or ``.yml``)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Issue("UNREADABLE", str(exc), location=Location(file=str(path)))]
    return parse_project(text, str(path))


def result_envelope(result: ProjectResult) -> dict[str, Any]:
    """The JSON-ready envelope of a result (see the module docstring)."""
    return {
        "format": RESULT_FORMAT,
        "non_official_tables": [f"{r.table_id}@{r.version} ({r.status.value})" for r in result.non_official],
        "totals_fen": {
            "project": result.total_fen,
            "subjects": {s.subject_id: s.total_fen for s in result.subjects},
        },
        "result": json.loads(result.model_dump_json()),
    }


def result_to_json(result: ProjectResult, *, indent: int | None = 2) -> str:
    """Serialise a result (lossless; read it back with :func:`result_from_json`)."""
    return json.dumps(result_envelope(result), ensure_ascii=False, indent=indent)


def result_from_json(text: str) -> ProjectResult:
    """Rebuild a result written by :func:`result_to_json`.

    Raises ``ValueError`` when the text is not such a result (this reads the
    library's own output; a damaged file is a programmer-visible failure).
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != RESULT_FORMAT or "result" not in data:
        raise ValueError(f"not a {RESULT_FORMAT} document")
    try:
        return ProjectResult.model_validate_json(json.dumps(data["result"]))
    except ValidationError as exc:
        raise ValueError(f"invalid result: {exc}") from None


def write_result(result: ProjectResult, path: str | Path) -> None:
    """Write :func:`result_to_json` to ``path`` (UTF-8)."""
    Path(path).write_text(result_to_json(result) + "\n", encoding="utf-8")
