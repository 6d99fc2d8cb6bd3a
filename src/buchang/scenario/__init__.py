"""Scenarios: realistic projects with inputs, a story and hand-derived expected outputs.

A scenario is a folder (``scenarios/<name>/``): a manifest ``scenario.yaml``,
project files in the library's own format, optional extra tables, an optional
upfront-fund estimate, an optional fund-control script ``funds.yaml`` and
``expected.yaml``; its ``README.md`` tells the story and derives every
expected figure by hand. Formats: :mod:`buchang.scenario.spec`.

The run in five steps:

1. read and validate the manifest, the expectations and the fund script
   (errors as values, with file, line and key);
2. load the shipped tables plus the scenario's own, compute every project
   (:func:`buchang.api.compute_project`) and the estimate;
3. run the fund script through the journal (each refusal recorded), verify
   the journal, reconcile its books against the bank statement;
4. compare every expected figure, issue, refusal and finding — and report
   every error, refusal or finding the scenario did not expect;
5. return a :class:`ScenarioReport` (``ok`` only when every check passes).
"""

from buchang.scenario.report import FIGURE_KINDS, OK, Check, ScenarioReport
from buchang.scenario.runner import MANIFEST, ScenarioInfo, list_scenarios, run_scenario

__all__ = [
    "FIGURE_KINDS",
    "MANIFEST",
    "OK",
    "Check",
    "ScenarioInfo",
    "ScenarioReport",
    "list_scenarios",
    "run_scenario",
]
