"""The public Python API of buchang's exact compensation core — import from here.

Five steps::

    store, issues = load_tables()                      # shipped tables (+ your folders)
    project, issues = read_project("project.yaml")     # or build a Project in code
    result = compute_project(project, store)           # every collective and household
    # (compute_project_parallel: the same result, households spread over forked processes)
    print(explain(result.subjects[0]))                 # the arithmetic in words
    text = result_to_json(result)                      # lossless; result_from_json(text)

Pure functions, no global state, nothing read at import time. Bad data and
missing tables are :class:`Issue` values on the result, never exceptions.
"""

from __future__ import annotations

from buchang.core.errors import Issue, Severity
from buchang.rules.engine import compute_collective, compute_household, compute_project
from buchang.rules.explain import explain
from buchang.rules.inputs import Collective, Household, Project
from buchang.rules.io import read_project, result_from_json, result_to_json
from buchang.rules.lines import Line, ProjectResult, SubjectResult
from buchang.rules.parallel import compute_project_parallel
from buchang.tables.store import TableStore, load_tables

__all__ = [
    "Collective",
    "Household",
    "Issue",
    "Line",
    "Project",
    "ProjectResult",
    "Severity",
    "SubjectResult",
    "TableStore",
    "compute_collective",
    "compute_household",
    "compute_project",
    "compute_project_parallel",
    "explain",
    "load_tables",
    "read_project",
    "result_from_json",
    "result_to_json",
]
