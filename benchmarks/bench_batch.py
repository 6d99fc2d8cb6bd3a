"""Batch mode benchmarks (issue 4): throughput, peak memory, batch/exact ratio, parity.

Run::

    python -m pytest benchmarks/bench_batch.py --benchmark-enable -p no:cacheprovider -s

or as a script (prints the same figures)::

    python benchmarks/bench_batch.py [HOUSEHOLDS]

Populations come from :func:`buchang.batch.synth.synth_frames` (about 4
members, 3 parcels, 2 buildings and 2 crops/attachments per household, nine
jurisdiction/date settings, every legality state; 0.1 % data anomalies,
which batch mode routes to the exact path).

* ``test_batch_households`` — ``BUCHANG_BENCH_HOUSEHOLDS`` (default
  1,000,000) households through :func:`compute_batch` from in-memory frames;
  prints seconds, households/s, lines/s and the peak memory of the call
  (``tracemalloc`` peak of a separate, untimed call; numpy reports its
  buffers to tracemalloc) and checks a seeded sample of 1,000 households
  and 20 collectives against the exact path (0 fen difference);
* ``test_batch_vs_exact`` — ``BUCHANG_BENCH_SIDE_BY_SIDE`` (default 2,000)
  households through both paths in one run: the exact engine over Project
  models and the batch kernels over the same population as frames; prints
  the per-household times and the ratio (target ≥ 100×) and compares every
  line (0 fen difference).
"""

from __future__ import annotations

import os
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from buchang.batch.compute import BatchResult, compute_batch
from buchang.batch.frames import Frames, to_projects
from buchang.batch.parity import differences, exact_lines_frame, subject_lines
from buchang.batch.synth import synth_frames
from buchang.rules.engine import compute_project
from buchang.tables.store import TableStore, load_tables

N_BIG = int(os.environ.get("BUCHANG_BENCH_HOUSEHOLDS", "1000000"))
N_SIDE = int(os.environ.get("BUCHANG_BENCH_SIDE_BY_SIDE", "20000"))


def _store() -> TableStore:
    store, _ = load_tables()
    return store


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def peak_memory(fn: Callable[[], Any]) -> int:
    """Peak bytes allocated during ``fn`` (tracemalloc; numpy buffers included)."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def sample_parity(
    frames: Frames, res: BatchResult, store: TableStore, households: int, collectives: int
) -> int:
    """Lines that differ between the paths on a seeded sample of subjects (0 = parity)."""
    rng = np.random.default_rng(4)
    h = np.sort(rng.choice(len(frames.households), min(households, len(frames.households)), replace=False))
    c = np.sort(rng.choice(len(frames.collectives), min(collectives, len(frames.collectives)), replace=False))
    batch = subject_lines(res, h, c)
    sub = frames.select_households(h, projects=set(frames.collectives["project_id"].iloc[c].astype(str)))
    wanted = set(
        zip(
            frames.collectives["project_id"].iloc[c].astype(str),
            frames.collectives["collective_id"].iloc[c].astype(str),
            strict=True,
        )
    )
    projects = [
        p.model_copy(
            update={
                "collectives": tuple(x for x in p.collectives if (p.project_id, x.collective_id) in wanted)
            }
        )
        for p in to_projects(sub)
    ]
    exact = exact_lines_frame(projects, store)
    return len(differences(batch, exact))


def run_big(n: int = N_BIG, rounds: int = 4) -> dict[str, Any]:
    store = _store()
    t_synth, frames = _timed(lambda: synth_frames(n, store, seed=2026, anomalies=0.001))
    times = []
    res: BatchResult | None = None
    for r in range(rounds):
        threads = 1 + r % 2
        t, res = _timed(lambda threads=threads: compute_batch(frames, store, threads=threads))
        times.append(t)
    assert res is not None
    best = min(times)
    lines = res.n_lines
    peak = peak_memory(lambda: compute_batch(frames, store))
    diff = sample_parity(frames, res, store, 1000, 20)
    out = {
        "households": n,
        "synth_s": round(t_synth, 2),
        "compute_s_best": round(best, 3),
        "compute_s_runs_threads_1_2": [round(t, 3) for t in times],
        "households_per_s": round(n / best),
        "lines": lines,
        "lines_per_s": round(lines / best),
        "routed_to_exact": sum(res.routed.values()),
        "peak_mb": round(peak / 2**20),
        "sample_differences": diff,
    }
    print(
        f"\nbatch, {n:,} households: {best:.2f} s (runs with threads 1, 2, 1, 2: {out['compute_s_runs_threads_1_2']}), "
        f"{out['households_per_s']:,} households/s, {lines:,} lines ({out['lines_per_s']:,}/s), "
        f"peak {out['peak_mb']:,} MB, routed {out['routed_to_exact']}, "
        f"sample differences {diff}"
    )
    return out


def run_side_by_side(n: int = N_SIDE) -> dict[str, Any]:
    store = _store()
    frames = synth_frames(n, store, seed=7, anomalies=0.001, households_per_project=500)
    projects = to_projects(frames)
    t_exact, _ = _timed(lambda: [compute_project(p, store) for p in projects])
    t_batch, res = _timed(lambda: compute_batch(frames, store))
    diff = len(differences(res.lines_frame(), exact_lines_frame(projects, store)))
    ratio = t_exact / t_batch
    out = {
        "households": n,
        "exact_s": round(t_exact, 3),
        "batch_s": round(t_batch, 4),
        "exact_ms_per_household": round(1000 * t_exact / n, 4),
        "batch_ms_per_household": round(1000 * t_batch / n, 5),
        "ratio": round(ratio, 1),
        "differences": diff,
    }
    print(
        f"\nside by side, {n:,} households: exact {t_exact:.2f} s ({out['exact_ms_per_household']} ms/household), "
        f"batch {t_batch:.3f} s ({out['batch_ms_per_household']} ms/household), ratio {ratio:.0f}×, "
        f"differences {diff}"
    )
    return out


@pytest.fixture(scope="module")
def big() -> tuple[Frames, TableStore]:
    store = _store()
    return synth_frames(N_BIG, store, seed=2026, anomalies=0.001), store


def test_batch_households(benchmark: Any, big: tuple[Frames, TableStore]) -> None:
    frames, store = big
    res = benchmark.pedantic(compute_batch, args=(frames, store), rounds=3, iterations=1, warmup_rounds=0)
    best = benchmark.stats.stats.min
    peak = peak_memory(lambda: compute_batch(frames, store))
    diff = sample_parity(frames, res, store, 1000, 20)
    benchmark.extra_info.update(
        households=N_BIG,
        households_per_s=round(N_BIG / best),
        lines=res.n_lines,
        peak_mb=round(peak / 2**20),
        sample_differences=diff,
    )
    print(
        f"\nbatch, {N_BIG:,} households: best {best:.2f} s, {N_BIG / best:,.0f} households/s, "
        f"{res.n_lines:,} lines, peak {peak / 2**20:,.0f} MB, sample differences {diff}"
    )
    assert diff == 0


def test_batch_vs_exact(benchmark: Any) -> None:
    out = benchmark.pedantic(run_side_by_side, rounds=1, iterations=1)
    benchmark.extra_info.update(out)
    assert out["differences"] == 0


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else N_BIG
    run_side_by_side()
    run_big(n)
