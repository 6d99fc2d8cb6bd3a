"""The same kernels over Dask on a 2-worker LocalCluster equal the pandas result."""

from __future__ import annotations

import pytest
from tests.batch.batch_kit import shipped

from buchang.batch import aggregate as ag
from buchang.batch.compute import compute_batch
from buchang.batch.parity import differences
from buchang.batch.synth import synth_frames

pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")


def test_local_cluster_equals_pandas() -> None:
    from buchang.batch.dask import compute_dask

    store = shipped()
    frames = synth_frames(400, store, seed=42, households_per_project=100, households_per_collective=20)
    expected = compute_batch(frames, store)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        run = compute_dask(frames, npartitions=4)
        assert run.lines.npartitions == 4
        lines, aggs, total = run.compute()
    assert differences(lines, expected.lines_frame()).empty
    assert total == expected.total_fen()
    for name, frame in aggs.items():
        assert frame.equals(getattr(ag, name)(expected)), name
