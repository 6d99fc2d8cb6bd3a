"""Benchmark: reconcile 1,000,000 lines against ~1,000,000 statement rows.

Run with ``pytest benchmarks/bench_reconcile.py --benchmark-enable``. The data
(two clean projects of 256,000 households each, ~1.0M lines, ~1.03M
transactions) is generated once, vectorised, by :mod:`buchang.funds.synth`;
only :func:`buchang.funds.reconcile.reconcile_frames` is timed. Target: ≤ 5 s
on a 2-core machine (issue 5).
"""

from __future__ import annotations

from functools import cache

import pytest

from buchang.funds.reconcile import ReconcileReport, reconcile_frames
from buchang.funds.synth import Synth, clean_frames

HOUSEHOLDS_PER_PROJECT = 256_000


@cache
def data() -> Synth:
    return clean_frames(HOUSEHOLDS_PER_PROJECT, projects=2, lines_per_list=200, relocation_share=0.2)


def run(syn: Synth) -> ReconcileReport:
    f = syn.frames
    return reconcile_frames(
        f.projects,
        f.agreements,
        f.lists,
        f.lines,
        f.reviews,
        f.transactions,
        f.allocations,
        f.relocations,
        as_of=syn.as_of,
    )


@pytest.mark.benchmark(group="reconcile", min_rounds=3, warmup=False)
def test_reconcile_million_lines(benchmark) -> None:  # type: ignore[no-untyped-def]
    syn = data()
    assert len(syn.frames.lines) >= 990_000 and len(syn.frames.transactions) >= 990_000
    report = benchmark.pedantic(run, args=(syn,), rounds=3, iterations=1)
    assert report.findings == () and report.checks_ok
    benchmark.extra_info["lines"] = len(syn.frames.lines)
    benchmark.extra_info["transactions"] = len(syn.frames.transactions)
