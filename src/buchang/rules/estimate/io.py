"""Read estimate inputs from JSON/YAML; write an estimate as JSON.

Inputs: one document shaped like :class:`~buchang.rules.estimate.model.EstimateInputs`,
read through the table loader's YAML reader (JSON is the YAML subset it is), so
decimals stay the text the author wrote; an unquoted non-integer number (``12.5``)
is refused with ``FLOAT_VALUE`` naming file, line and key. Validation problems
are ``INVALID_INPUT`` issues with file, line and key.

Output: :func:`estimate_to_json` writes an envelope::

    {"format": "buchang.estimate/1",
     "non_official_tables": ["banan.estimate.working_costs@2015-illustrative (illustrative)", ...],
     "required_upfront_fen": {"expected": 123, "high": 456},
     "totals_fen": {"low": {"土地补偿费和安置补助费": 1, ..., "total": 9}, "expected": {...}, "high": {...}},
     "estimate": { ...Estimate... }}

:func:`estimate_from_json` rebuilds the :class:`Estimate` from ``estimate`` alone.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

from pydantic import ValidationError

from buchang.core.errors import Issue, Location
from buchang.tables.yamlsrc import load_yaml

from .model import Estimate, EstimateInputs, Scenario, required_upfront_fen

ESTIMATE_FORMAT: Final = "buchang.estimate/1"


def parse_estimate_inputs(text: str, file: str = "<input>") -> tuple[EstimateInputs | None, list[Issue]]:
    """Estimate inputs from JSON or YAML text; ``None`` and the issues when not valid."""
    doc = load_yaml(text, file)
    issues = list(doc.issues)
    if doc.data is None or issues:
        return None, issues
    try:
        return EstimateInputs.model_validate(doc.data), []
    except ValidationError as exc:
        for err in exc.errors():
            path = tuple(err["loc"])
            issues.append(doc.issue("INVALID_INPUT", f"{err['msg']} (got {err.get('input')!r})"[:300], path))
        return None, issues


def read_estimate_inputs(path: str | Path) -> tuple[EstimateInputs | None, list[Issue]]:
    """Read an estimate input file (``.json``, ``.yaml`` or ``.yml``)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Issue("UNREADABLE", str(exc), location=Location(file=str(path)))]
    return parse_estimate_inputs(text, str(path))


def estimate_envelope(est: Estimate) -> dict[str, Any]:
    """The JSON-ready envelope of an estimate (see the module docstring)."""
    totals: dict[str, dict[str, int]] = {}
    for s in est.scenarios:
        row = {f.value: fen for f, fen in s.by_fund().items()}
        row["total"] = s.total_fen
        totals[s.scenario.value] = row
    return {
        "format": ESTIMATE_FORMAT,
        "non_official_tables": [f"{r.table_id}@{r.version} ({r.status.value})" for r in est.non_official],
        "required_upfront_fen": {
            "expected": required_upfront_fen(est, Scenario.EXPECTED),
            "high": required_upfront_fen(est, Scenario.HIGH),
        },
        "totals_fen": totals,
        "estimate": json.loads(est.model_dump_json()),
    }


def estimate_to_json(est: Estimate, *, indent: int | None = 2) -> str:
    """Serialise an estimate (lossless; read it back with :func:`estimate_from_json`)."""
    return json.dumps(estimate_envelope(est), ensure_ascii=False, indent=indent)


def estimate_from_json(text: str) -> Estimate:
    """Rebuild an estimate written by :func:`estimate_to_json` (``ValueError`` if it is not one)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != ESTIMATE_FORMAT or "estimate" not in data:
        raise ValueError(f"not a {ESTIMATE_FORMAT} document")
    try:
        return Estimate.model_validate_json(json.dumps(data["estimate"]))
    except ValidationError as exc:
        raise ValueError(f"invalid estimate: {exc}") from None
