"""Load a scenario folder, run it, compare every expectation.

:func:`run_scenario` never raises for bad data: a file that cannot be read or
does not validate is an :class:`~buchang.core.errors.Issue` on the report
(with file, line and key), and the scenario fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from buchang.core.errors import Issue, Location
from buchang.resources import scenarios_dir
from buchang.rules.engine import compute_project
from buchang.rules.estimate import Estimate, estimate, read_estimate_inputs
from buchang.rules.io import read_project
from buchang.rules.lines import ProjectResult
from buchang.scenario.compare import estimate_checks, project_checks
from buchang.scenario.funds import funds_checks, run_funds
from buchang.scenario.report import Check, ScenarioReport
from buchang.scenario.spec import Expected, ExpEstimate, ExpFunds, ExpProject, FundsScript, Manifest
from buchang.tables.store import load_tables
from buchang.tables.yamlsrc import YamlDoc, load_yaml

MANIFEST = "scenario.yaml"

M = TypeVar("M", bound=BaseModel)


def read_model(path: Path, model: type[M]) -> tuple[M | None, YamlDoc, list[Issue]]:
    """Read and validate a YAML file as ``model``; issues name file, line and key."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        doc = YamlDoc(file=str(path))
        return None, doc, [Issue("UNREADABLE", str(exc), location=Location(file=str(path)))]
    doc = load_yaml(text, str(path))
    if doc.issues or doc.data is None:
        return None, doc, list(doc.issues)
    try:
        return model.model_validate(doc.data), doc, []
    except ValidationError as exc:
        issues = [
            doc.issue("INVALID_INPUT", f"{err['msg']} (got {err.get('input')!r})"[:300], tuple(err["loc"]))
            for err in exc.errors()
        ]
        return None, doc, issues


@dataclass(frozen=True, slots=True)
class ScenarioInfo:
    """A scenario folder and its manifest (for ``buchang scenario list``)."""

    name: str
    path: Path
    title: str
    jurisdiction: str
    documents: tuple[str, ...]


def list_scenarios(root: Path | None = None) -> tuple[list[ScenarioInfo], list[Issue]]:
    """Every folder under ``root`` (default: the bundled ``scenarios/``) with a manifest."""
    base = root or scenarios_dir()
    out: list[ScenarioInfo] = []
    issues: list[Issue] = []
    for folder in sorted(p for p in base.iterdir() if (p / MANIFEST).is_file()) if base.is_dir() else []:
        manifest, _, errs = read_model(folder / MANIFEST, Manifest)
        issues += errs
        if manifest is not None:
            out.append(
                ScenarioInfo(folder.name, folder, manifest.title, manifest.jurisdiction, manifest.documents)
            )
    return out, issues


def _compute(
    folder: Path, manifest: Manifest
) -> tuple[dict[str, ProjectResult], Estimate | None, list[Issue]]:
    issues: list[Issue] = []
    store, table_issues = load_tables(*(folder / t for t in manifest.tables))
    issues += [i for i in table_issues if i.is_error]
    results: dict[str, ProjectResult] = {}
    for name in manifest.projects:
        project, errs = read_project(folder / name)
        issues += errs
        if project is not None:
            if project.project_id in results:
                issues.append(
                    Issue(
                        "DUPLICATE_ID",
                        f"project id {project.project_id} appears in two project files",
                        location=Location(file=str(folder / name), key="project_id"),
                    )
                )
            results[project.project_id] = compute_project(project, store)
    est: Estimate | None = None
    if manifest.estimate is not None:
        inputs, errs = read_estimate_inputs(folder / manifest.estimate)
        issues += errs
        if inputs is not None:
            est = estimate(inputs, store)
    return results, est, issues


def run_scenario(folder: str | Path) -> ScenarioReport:
    """Run the scenario in ``folder`` and compare every expectation (see the package docs)."""
    folder = Path(folder)
    manifest, _, issues = read_model(folder / MANIFEST, Manifest)
    if manifest is None:
        return ScenarioReport(folder.name, "", issues=tuple(issues))
    expected, exp_doc, errs = read_model(folder / manifest.expected, Expected)
    issues += errs
    results, est, errs = _compute(folder, manifest)
    issues += errs
    checks: list[Check] = []
    exp_projects = expected.projects if expected is not None else {}
    for pid in exp_projects:
        if pid not in results:
            issues.append(exp_doc.issue("UNKNOWN_PROJECT", f"no computed project '{pid}'", ("projects", pid)))
    for pid, result in results.items():
        # A project without expectations still fails the scenario on any error it reports.
        exp = exp_projects.get(pid) or ExpProject()
        checks += project_checks(result, exp, exp_doc, ("projects", pid))
    exp_estimate = expected.estimate if expected is not None else None
    if exp_estimate is not None and est is None:
        issues.append(exp_doc.issue("NO_ESTIMATE", "the manifest names no estimate", ("estimate",)))
    if est is not None:
        checks += estimate_checks(est, exp_estimate or ExpEstimate(), exp_doc, ("estimate",))
    if manifest.funds is not None:
        script, script_doc, errs = read_model(folder / manifest.funds, FundsScript)
        issues += errs
        if script is not None:
            run = run_funds(script, script_doc, results, est)
            issues += run.issues
            exp_funds = expected.funds if expected is not None and expected.funds is not None else ExpFunds()
            checks += funds_checks(run, exp_funds, exp_doc, ("funds",), script, script_doc)
    elif expected is not None and expected.funds is not None:
        issues.append(exp_doc.issue("NO_FUNDS", "the manifest names no fund script", ("funds",)))
    non_official = sorted(
        {f"{t.table_id}@{t.version} ({t.status.value})" for r in results.values() for t in r.non_official}
        | ({f"{t.table_id}@{t.version} ({t.status.value})" for t in est.non_official} if est else set())
    )
    return ScenarioReport(folder.name, manifest.title, tuple(checks), tuple(issues), tuple(non_official))
