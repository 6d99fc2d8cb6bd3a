"""Hostile-input suite (issue 8 items 1, 2 and 7): fuzzed workbooks and CSVs,
entity and decompression bombs, formula injection, output paths, private data.

Each test adds its figures (fuzz cases run by kind, bombs refused with their
time and memory, path cases, privacy cases …) to the ``figures`` fixture; they
are printed in one block at the end of the run, for the README's "Reliability"
section. Measured maxima (seconds, MB) are kept as the largest value seen.

``@pytest.mark.slow`` variants here are skipped unless the marker expression
names them (``python -m pytest -m slow tests/hostile``), so a plain
``python -m pytest`` stays within the CI budget.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

_FIGURES: pytest.StashKey[Counter[str]] = pytest.StashKey()
_MAXIMA: pytest.StashKey[dict[str, float]] = pytest.StashKey()
_HERE = Path(__file__).parent


class Figures:
    """Counters (summed) and maxima (largest value kept) for the figures block."""

    def __init__(self, counts: Counter[str], maxima: dict[str, float]) -> None:
        self.counts = counts
        self.maxima = maxima

    def add(self, name: str, n: int = 1) -> None:
        self.counts[name] += n

    def peak(self, name: str, value: float) -> None:
        self.maxima[name] = max(value, self.maxima.get(name, value))


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_FIGURES] = Counter()
    config.stash[_MAXIMA] = {}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "slow" in (config.option.markexpr or ""):
        return
    skip = pytest.mark.skip(reason="heavier variant: run with -m slow")
    for item in items:
        if item.get_closest_marker("slow") is not None and _HERE in item.path.parents:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def figures(request: pytest.FixtureRequest) -> Figures:
    """Figures summed over the run and printed in the terminal summary."""
    return Figures(request.config.stash[_FIGURES], request.config.stash[_MAXIMA])


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    counts = config.stash.get(_FIGURES, None)
    maxima = config.stash.get(_MAXIMA, None)
    if not counts and not maxima:
        return
    terminalreporter.section("hostile input figures")
    for name in sorted(counts or {}):
        terminalreporter.write_line(f"{name}: {counts[name]}")  # type: ignore[index]
    for name in sorted(maxima or {}):
        terminalreporter.write_line(f"{name}: {maxima[name]:.3f}")  # type: ignore[index]
