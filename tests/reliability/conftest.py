"""Reliability suite of the journal (issue 8): crashes, faults, concurrency,
tampering, a stateful model and private data.

Each test adds its figures (kills survived, faults injected, tamper cases
detected, model steps run …) to the ``figures`` fixture; they are printed in
one block at the end of the run, for the README's "Reliability" section.

``@pytest.mark.slow`` variants here are skipped unless the marker expression
names them (``python -m pytest -m slow tests/reliability``), so a plain
``python -m pytest`` stays within the CI budget.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

_FIGURES: pytest.StashKey[Counter[str]] = pytest.StashKey()
_HERE = Path(__file__).parent


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_FIGURES] = Counter()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "slow" in (config.option.markexpr or ""):
        return
    skip = pytest.mark.skip(reason="heavier variant: run with -m slow")
    for item in items:
        if item.get_closest_marker("slow") is not None and _HERE in item.path.parents:
            item.add_marker(skip)


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Counter[str]:
    """Counters summed over the run and printed in the terminal summary."""
    return request.config.stash[_FIGURES]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    figs = config.stash.get(_FIGURES, None)
    if not figs:
        return
    terminalreporter.section("journal reliability figures")
    for name in sorted(figs):
        terminalreporter.write_line(f"{name}: {figs[name]}")
