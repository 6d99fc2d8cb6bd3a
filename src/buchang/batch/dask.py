"""Batch mode beyond one machine: the same kernels over a Dask DataFrame partitioned by household.

Optional extra ``buchang[dask]`` (``dask[dataframe]`` and ``distributed``).

:func:`compute_dask` splits the frames into ``npartitions`` parts — contiguous
runs of households with their members, buildings, attachments and flats, and
contiguous runs of collectives with their parcels (every subject lands in
exactly one part) — and runs :func:`buchang.batch.compute.compute_batch` on
each part in a Dask task. The result is a Dask DataFrame of lines (the
layout of :meth:`BatchResult.lines_frame`) and, per part, the auditors'
aggregations, combined exactly (int64 group sums,
:func:`buchang.batch.aggregate.combine`).

Table stores hold read-only mappings that do not pickle, so workers load the
tables themselves from the same folders (``tables``, plus the shipped ones
unless ``include_default=False``): every worker reads the same files, and the
content hashes in each line prove which versions were used.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from buchang.batch import aggregate as ag
from buchang.batch.compute import compute_batch
from buchang.batch.frames import SCHEMA, Frames, link_keys
from buchang.tables.store import load_tables

AGGREGATIONS = ("by_category", "by_collective", "by_payee", "by_table_version")


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """Key columns back to text (a part must not carry the whole population's categories)."""
    out = df.copy()
    for col in ("household_id", "project_id", "owner_collective"):
        if col in out.columns and isinstance(out[col].dtype, pd.CategoricalDtype):
            out[col] = out[col].astype(str)
    return out.reset_index(drop=True)


def partition(frames: Frames, npartitions: int) -> list[dict[str, pd.DataFrame]]:
    """Split ``frames`` into parts by household (and collective); each part is self-contained."""
    n_h, n_c = len(frames.households), len(frames.collectives)
    h_cuts = np.linspace(0, n_h, npartitions + 1).astype(np.int64)
    c_cuts = np.linspace(0, n_c, npartitions + 1).astype(np.int64)
    hh_ids = frames.households["household_id"].astype(str)
    parts: list[dict[str, pd.DataFrame]] = []
    for p in range(npartitions):
        hh = frames.households.iloc[h_cuts[p] : h_cuts[p + 1]]
        coll = frames.collectives.iloc[c_cuts[p] : c_cuts[p + 1]]
        ids = set(hh_ids.iloc[h_cuts[p] : h_cuts[p + 1]])
        projects = set(hh["project_id"].astype(str)) | set(coll["project_id"].astype(str))
        owned = pd.MultiIndex.from_arrays(
            [frames.parcels["project_id"].astype(str), frames.parcels["owner_collective"].astype(str)]
        )
        wanted = pd.MultiIndex.from_arrays(
            [coll["project_id"].astype(str), coll["collective_id"].astype(str)]
        )
        part = {
            "projects": frames.projects[frames.projects["project_id"].astype(str).isin(projects)],
            "collectives": coll,
            "parcels": frames.parcels[owned.isin(wanted)],
            "households": hh,
        }
        for name in ("members", "buildings", "attachments", "flats"):
            df = frames.frame(name)
            part[name] = df[df["household_id"].astype(str).isin(ids)]
        parts.append({k: _plain(v) for k, v in part.items()})
    return parts


def run_part(
    part: dict[str, pd.DataFrame], tables: Sequence[str], include_default: bool
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame], int]:
    """One Dask task: load the tables, compute the part; (lines, aggregations, total fen)."""
    store, _ = load_tables(*tables, include_default=include_default)
    frames = Frames.build(**link_keys({k: v for k, v in part.items() if k in SCHEMA}))
    res = compute_batch(frames, store)
    aggs = {name: getattr(ag, name)(res) for name in AGGREGATIONS}
    return res.lines_frame(), aggs, res.total_fen()


@dataclass(frozen=True)
class DaskBatch:
    """Lines as a Dask DataFrame (one partition per part) and the parts' delayed results.

    ``ref_set`` codes are local to a part; ``refs`` carries the references themselves.
    """

    lines: Any  # dask.dataframe.DataFrame
    parts: Any  # list of dask Delayed: (lines, aggregations, total fen)

    def compute(self) -> tuple[pd.DataFrame, dict[str, pd.DataFrame], int]:
        """Run once: every line (pandas), the aggregations combined exactly, the total."""
        import dask

        results = dask.compute(*self.parts)  # type: ignore[attr-defined,no-untyped-call]
        lines = pd.concat([r[0] for r in results], ignore_index=True)
        aggs = {name: ag.combine([r[1][name] for r in results]) for name in AGGREGATIONS}
        return lines, aggs, sum(int(r[2]) for r in results)


def compute_dask(
    frames: Frames,
    *,
    tables: Sequence[str | Path] = (),
    include_default: bool = True,
    npartitions: int = 2,
) -> DaskBatch:
    """The batch computation as Dask tasks (run on the current Dask scheduler or client)."""
    import dask
    import dask.dataframe as dd

    paths = tuple(str(p) for p in tables)
    delayed = dask.delayed  # type: ignore[attr-defined]
    parts = [delayed(run_part)(p, paths, include_default) for p in partition(frames, npartitions)]
    meta = pd.DataFrame(
        {
            "subject_kind": pd.Series(dtype=object),
            "subject_id": pd.Series(dtype=object),
            "item_id": pd.Series(dtype=object),
            "category": pd.Series(dtype=object),
            "rule": pd.Series(dtype=object),
            "payee_kind": pd.Series(dtype=object),
            "payee_name": pd.Series(dtype=object),
            "payee_ref": pd.Series(dtype=object),
            "payee_account": pd.Series(dtype=object),
            "amount_fen": pd.Series(dtype=np.int64),
            "ref_set": pd.Series(dtype=np.int64),
            "refs": pd.Series(dtype=object),
        }
    )
    lines = dd.from_delayed([delayed(operator.getitem)(p, 0) for p in parts], meta=meta, verify_meta=False)
    return DaskBatch(lines=lines, parts=parts)


__all__ = ["AGGREGATIONS", "DaskBatch", "compute_dask", "partition", "run_part"]
