"""Every bundled scenario passes, carries at least a dozen expected figures, and every expected
figure is derived by hand in its README (the amount appears there)."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pytest

from buchang.cli import scenario_cmd
from buchang.resources import scenarios_dir
from buchang.scenario import FIGURE_KINDS, ScenarioReport, list_scenarios, run_scenario

SEEDS = {
    "chongming_2025",
    "songjiang_2019_2020",
    "baoshan_agreements",
    "banan_upfront",
    "yongzhou_state_land",
}

_reports: dict[str, ScenarioReport] = {}


def report_of(name: str) -> ScenarioReport:
    if name not in _reports:
        _reports[name] = run_scenario(scenarios_dir() / name)
    return _reports[name]


def cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="buchang")
    scenario_cmd.register(parser.add_subparsers())
    args = parser.parse_args(["scenario", *argv])
    code: int = args.func(args)
    return code


def test_every_seed_jurisdiction_has_a_scenario() -> None:
    infos, issues = list_scenarios()
    assert issues == []
    assert {s.name for s in infos} >= SEEDS


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_scenario_passes(name: str) -> None:
    report = report_of(name)
    assert report.issues == ()
    assert report.ok, "\n".join(str(c) for c in report.failures)
    assert report.figures >= 12
    # Illustrative tables are named in the report (the library never hides a non-official figure).
    assert report.non_official


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_every_expected_figure_is_derived_in_the_readme(name: str) -> None:
    readme = (scenarios_dir() / name / "README.md").read_text(encoding="utf-8").replace("−", "-")
    amounts = set(re.findall(r"-?\d{1,3}(?:,\d{3})*\.\d{2}", readme))
    missing = [
        f"{c.label} = {c.expected}"
        for c in report_of(name).checks
        if c.kind in FIGURE_KINDS and c.expected not in amounts
    ]
    assert missing == []


def test_cli_run_verbose(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("run", str(scenarios_dir() / "songjiang_2019_2020"), "-v") == 0
    out = capsys.readouterr().out
    assert "非官方标准 non-official table: songjiang.land.fees@2019-A (illustrative)" in out
    assert "ok rejection command pay-early" in out
    assert "   OK: " in out and "expected figures" in out


def test_cli_json_and_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("run", str(scenarios_dir() / "chongming_2025"), "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is True and data["figures"] >= 12 and data["failures"] == []
    assert cli("list") == 0
    out = capsys.readouterr().out
    for name in SEEDS:
        assert name in out


def test_cli_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("run") == 2
    assert cli("run", str(tmp_path / "nowhere")) == 2
    assert cli("list", str(tmp_path / "nowhere")) == 2
    assert "no such folder" in capsys.readouterr().err
